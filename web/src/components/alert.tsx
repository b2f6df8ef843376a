import type { ReactNode } from 'react';

interface AlertProps {
  kind?: 'error' | 'info' | 'success' | 'warning';
  children: ReactNode;
  id?: string;
}

/** A message block. Errors are announced at once (role=alert); the rest politely (role=status). */
export function Alert({ kind = 'error', children, id }: AlertProps) {
  return (
    <div id={id} className={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

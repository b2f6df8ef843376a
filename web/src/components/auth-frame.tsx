import type { ReactNode } from 'react';

/** The frame of the signed-out pages: the brand above a centred card. */
export function AuthFrame({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="auth-frame">
      <div className="auth-brand">
        <img src="/favicon.svg" alt="" width="32" height="32" />
        <span>Latchkey</span>
      </div>
      <div className="card auth-card">{children}</div>
    </main>
  );
}

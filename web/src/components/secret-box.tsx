import { useId, type ReactNode } from 'react';
import { CopyButton } from './copy-button.js';

interface SecretBoxProps {
  label: string;
  value: string;
  children?: ReactNode;
  onDone(): void;
}

/** A credential shown once: the value, a copy button, and a warning that it will not come back. */
export function SecretBox({ label, value, children, onDone }: SecretBoxProps) {
  const id = useId();
  return (
    <section className="secret-box" aria-labelledby={`${id}-label`}>
      <h2 id={`${id}-label`} className="secret-label">
        {label}
      </h2>
      <p className="secret-warning">
        <strong>Copy it now.</strong> It will not be shown again: Latchkey only keeps a hash of it.
      </p>
      <code id={`${id}-value`} className="secret-value" data-testid="secret-value">
        {value}
      </code>
      <div className="actions">
        <CopyButton value={value} targetId={`${id}-value`} />
        <button type="button" className="button button-primary" onClick={onDone}>
          I have copied it
        </button>
      </div>
      {children}
    </section>
  );
}

import { useEffect, useMemo } from 'react';
import { CopyButton } from '../components/copy-button.js';

/** Freshly issued recovery codes: shown once, with copy and download. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone(): void }) {
  const text = useMemo(
    () =>
      `Latchkey recovery codes (${new Date().toISOString().slice(0, 10)})\nEach code signs in once.\n\n${codes.join('\n')}\n`,
    [codes],
  );
  const url = useMemo(() => URL.createObjectURL(new Blob([text], { type: 'text/plain' })), [text]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);

  return (
    <section className="secret-box" aria-labelledby="recovery-title">
      <h3 id="recovery-title" className="secret-label">
        Your recovery codes
      </h3>
      <p className="secret-warning">
        <strong>Save these codes now.</strong> If you lose your authenticator app, each code signs you in once. They
        will not be shown again.
      </p>
      <ol className="recovery-codes" id="recovery-codes" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="actions">
        <CopyButton value={codes.join('\n')} label="Copy codes" targetId="recovery-codes" />
        <a className="button button-secondary" href={url} download="latchkey-recovery-codes.txt">
          Download
        </a>
        <button type="button" className="button button-primary" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </section>
  );
}

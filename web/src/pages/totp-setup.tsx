import { useState, type FormEvent } from 'react';
import { confirmTotpSetup, type TotpSetup as Setup } from '../api/security.js';
import { Alert } from '../components/alert.js';
import { CopyButton } from '../components/copy-button.js';
import { Field } from '../components/field.js';
import { useAction } from '../lib/use-action.js';

interface TotpSetupProps {
  setup: Setup;
  onEnabled(recoveryCodes: string[]): void;
  onCancel(): void;
}

/** Groups of four, as authenticator apps print them; apps ignore the spaces. */
function groupSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/** Enrolment: scan the QR code (or type the secret), then prove it with the first code. */
export function TotpSetup({ setup, onEnabled, onCancel }: TotpSetupProps) {
  const [code, setCode] = useState('');
  const { busy, error, run } = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(
      async () => onEnabled(await confirmTotpSetup(code.trim())),
      () => setCode(''),
    );
  };

  return (
    <div className="totp-setup">
      <ol className="steps">
        <li className="step">
          <p>Scan this QR code with your authenticator app.</p>
          <img
            className="qr"
            src={setup.qrCodeDataUrl}
            alt="QR code to add Latchkey to your authenticator app"
            width="200"
            height="200"
          />
        </li>
        <li className="step">
          <p>Or, if you cannot scan it, enter this key by hand:</p>
          <p className="secret-line">
            <code id="totp-secret" className="secret-value" data-testid="totp-secret">
              {groupSecret(setup.secret)}
            </code>
          </p>
          <CopyButton value={setup.secret} label="Copy key" targetId="totp-secret" />
        </li>
        <li className="step">
          <p>Enter the code the app shows, to check it works.</p>
          <form className="stack" onSubmit={(event) => void submit(event)}>
            {error ? <Alert>{error}</Alert> : null}
            <Field
              label="Code from the app"
              hint="6 digits; it changes every 30 seconds."
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              value={code}
              onValue={setCode}
            />
            <div className="actions">
              <button type="submit" className="button button-primary" disabled={busy}>
                {busy ? 'Checking…' : 'Confirm and turn on'}
              </button>
              <button type="button" className="button button-secondary" onClick={onCancel}>
                Cancel
              </button>
            </div>
          </form>
        </li>
      </ol>
    </div>
  );
}

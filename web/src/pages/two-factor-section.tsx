import { useState } from 'react';
import { LatchkeyError } from '@latchkey/client';
import { beginTotpSetup, disableTotp, regenerateRecoveryCodes, type TotpSetup as Setup } from '../api/security.js';
import { useAuth } from '../auth/auth-context.js';
import { Alert } from '../components/alert.js';
import { useAction } from '../lib/use-action.js';
import { RecoveryCodes } from './recovery-codes.js';
import { TotpManageForm } from './totp-manage-form.js';
import { TotpSetup } from './totp-setup.js';

type Notice = { kind: 'success' | 'info'; text: string };
type Mode =
  | { kind: 'idle' }
  | { kind: 'setup'; setup: Setup }
  | { kind: 'codes'; codes: string[] }
  | { kind: 'disable' }
  | { kind: 'regenerate' };

/** Turn TOTP two-factor on (QR, first code, recovery codes) or off; issue new recovery codes. */
export function TwoFactorSection({ enabled }: { enabled: boolean | undefined }) {
  const { updateUser } = useAuth();
  const [mode, setMode] = useState<Mode>({ kind: 'idle' });
  const { busy, error, setError, run } = useAction();
  const [notice, setNotice] = useState<Notice | null>(null);

  // One message at a time: a new one replaces the last error or notice.
  const say = (next: Notice | null) => {
    setError(null);
    setNotice(next);
  };

  const open = (next: Mode) => {
    say(null);
    setMode(next);
  };

  const start = async () => {
    setNotice(null);
    await run(
      async () => setMode({ kind: 'setup', setup: await beginTotpSetup() }),
      (caught) => {
        if (!(caught instanceof LatchkeyError && caught.code === 'MFA_ALREADY_ENABLED')) return false;
        updateUser({ twoFactorEnabled: true });
        say({ kind: 'info', text: 'Two-factor authentication is already on for this account.' });
        return true;
      },
    );
  };

  // MFA_NOT_ENABLED tells the dashboard the status when the server did not report it.
  const learnStatus = async <T,>(call: Promise<T>): Promise<T> => {
    try {
      return await call;
    } catch (caught) {
      if (caught instanceof LatchkeyError && caught.code === 'MFA_NOT_ENABLED') {
        updateUser({ twoFactorEnabled: false });
        say({ kind: 'info', text: 'Two-factor authentication is not on for this account.' });
        setMode({ kind: 'idle' });
      }
      throw caught;
    }
  };

  const status = enabled === undefined ? null : enabled ? 'On' : 'Off';
  return (
    <section className="card stack" aria-labelledby="two-factor-title">
      <div className="section-title">
        <h2 id="two-factor-title">Two-factor authentication</h2>
        {status ? <span className={`badge ${enabled ? 'badge-on' : 'badge-off'}`}>{status}</span> : null}
      </div>
      {error ? <Alert>{error}</Alert> : notice ? <Alert kind={notice.kind}>{notice.text}</Alert> : null}
      {mode.kind === 'codes' ? (
        <RecoveryCodes codes={mode.codes} onDone={() => setMode({ kind: 'idle' })} />
      ) : mode.kind === 'setup' ? (
        <TotpSetup
          setup={mode.setup}
          onCancel={() => setMode({ kind: 'idle' })}
          onEnabled={(codes) => {
            updateUser({ twoFactorEnabled: true });
            say({ kind: 'success', text: 'Two-factor authentication is on.' });
            setMode({ kind: 'codes', codes });
          }}
        />
      ) : mode.kind === 'disable' ? (
        <TotpManageForm
          title="Turn off two-factor"
          submitLabel="Turn off two-factor"
          danger
          withPassword
          onCancel={() => setMode({ kind: 'idle' })}
          onSubmit={async (code, password) => {
            await learnStatus(disableTotp(code, password));
            updateUser({ twoFactorEnabled: false });
            say({ kind: 'success', text: 'Two-factor authentication is off.' });
            setMode({ kind: 'idle' });
          }}
        />
      ) : mode.kind === 'regenerate' ? (
        <TotpManageForm
          title="New recovery codes"
          submitLabel="Issue new codes"
          onCancel={() => setMode({ kind: 'idle' })}
          onSubmit={async (code) => {
            const codes = await learnStatus(regenerateRecoveryCodes(code));
            updateUser({ twoFactorEnabled: true });
            say({ kind: 'success', text: 'New recovery codes issued; the old ones no longer work.' });
            setMode({ kind: 'codes', codes });
          }}
        />
      ) : enabled ? (
        <>
          <p>Signing in asks for a code from your authenticator app after your password.</p>
          <div className="actions">
            <button type="button" className="button button-secondary" onClick={() => open({ kind: 'regenerate' })}>
              New recovery codes
            </button>
            <button type="button" className="button button-danger-outline" onClick={() => open({ kind: 'disable' })}>
              Turn off
            </button>
          </div>
        </>
      ) : enabled === undefined ? (
        <>
          <p>
            Use a code from an authenticator app (such as Google Authenticator, Authy or 1Password) as well as your
            password.
          </p>
          <div className="actions">
            <button type="button" className="button button-primary" disabled={busy} onClick={() => void start()}>
              {busy ? 'Starting…' : 'Turn on two-factor'}
            </button>
          </div>
          <p className="muted">
            Already on?{' '}
            <button type="button" className="button button-link" onClick={() => open({ kind: 'regenerate' })}>
              Get new recovery codes
            </button>{' '}
            or{' '}
            <button type="button" className="button button-link" onClick={() => open({ kind: 'disable' })}>
              turn it off
            </button>
            .
          </p>
        </>
      ) : (
        <>
          <p>
            Protect your account with a code from an authenticator app (such as Google Authenticator, Authy or
            1Password) as well as your password.
          </p>
          <div className="actions">
            <button type="button" className="button button-primary" disabled={busy} onClick={() => void start()}>
              {busy ? 'Starting…' : 'Turn on two-factor'}
            </button>
          </div>
        </>
      )}
    </section>
  );
}

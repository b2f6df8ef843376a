import { useState, type FormEvent } from 'react';
import { LatchkeyError } from '@latchkey/client';
import { changePassword } from '../api/security.js';
import { useAuth } from '../auth/auth-context.js';
import { Alert } from '../components/alert.js';
import { CodeField } from '../components/code-field.js';
import { Field } from '../components/field.js';
import { NewPasswordField } from '../components/new-password-field.js';
import { useAction } from '../lib/use-action.js';

interface PasswordSectionProps {
  /** Called after a change: this session was replaced, and others may have been signed out. */
  onSessionsChanged(): void;
}

function signedOutText(count: number): string {
  if (count === 0) return 'No other session was signed in.';
  return `${count} other ${count === 1 ? 'session was' : 'sessions were'} signed out.`;
}

/** Change the password: the current one (and a code with two-factor on), then the new one twice. */
export function PasswordSection({ onSessionsChanged }: PasswordSectionProps) {
  const { state } = useAuth();
  const email = state.status === 'signed-in' ? state.user.email : '';
  const twoFactor = state.status === 'signed-in' && state.user.twoFactorEnabled === true;
  const [current, setCurrent] = useState('');
  const [code, setCode] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [signOutOthers, setSignOutOthers] = useState(true);
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    if (next !== repeat) {
      setError('The new passwords do not match.');
      return;
    }
    await run(
      async () => {
        const change = {
          currentPassword: current,
          newPassword: next,
          revokeOtherSessions: signOutOthers,
          ...(twoFactor ? { code: code.trim() } : {}),
        };
        const revoked = await changePassword(change);
        setNext('');
        setRepeat('');
        setDone(`Password changed. ${signOutOthers ? signedOutText(revoked) : 'Your other sessions stay signed in.'}`);
        onSessionsChanged();
      },
      (caught) => {
        if (caught instanceof LatchkeyError && caught.code === 'INVALID_CREDENTIALS') {
          setError('The current password is not correct.');
          return true;
        }
      },
    );
    // Whatever the outcome, the secrets typed for this try are not kept.
    setCurrent('');
    setCode('');
  };

  return (
    <section className="card stack" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      {done ? <Alert kind="success">{done}</Alert> : null}
      {error ? <Alert>{error}</Alert> : null}
      <form className="stack" aria-label="Change password" onSubmit={(event) => void submit(event)}>
        {/* Password managers pair the new password with the account by this field. */}
        <input type="email" autoComplete="username" value={email} readOnly hidden />
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onValue={setCurrent}
        />
        {twoFactor ? <CodeField value={code} onValue={setCode} /> : null}
        <NewPasswordField label="New password" value={next} onValue={setNext} />
        <Field
          label="New password again"
          type="password"
          autoComplete="new-password"
          required
          value={repeat}
          onValue={setRepeat}
        />
        <label className="checkbox">
          <input type="checkbox" checked={signOutOthers} onChange={(event) => setSignOutOthers(event.target.checked)} />
          <span className="checkbox-text">
            Sign out my other sessions
            <span className="muted">Every other browser and app has to sign in again with the new password.</span>
          </span>
        </label>
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}

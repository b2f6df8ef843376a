import { useRef, useState, type FormEvent } from 'react';
import { fetchFeatures, login } from '../api/auth.js';
import { LatchkeyError } from '@latchkey/client';
import { useAuth } from '../auth/auth-context.js';
import { Alert } from '../components/alert.js';
import { AuthFrame } from '../components/auth-frame.js';
import { Field } from '../components/field.js';
import { PageHeading } from '../components/page-heading.js';
import { useAction } from '../lib/use-action.js';
import { useLoad } from '../lib/use-load.js';
import { Link } from '../router.js';
import { SecondFactorForm } from './second-factor-form.js';

/** Sign-in: e-mail and password, then the two-factor step when the account has it on. */
export function SignInPage() {
  const { state, signedIn } = useAuth();
  const [features] = useLoad(() => fetchFeatures().catch(() => ({ registrationEnabled: false })), []);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pendingToken, setPendingToken] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const form = useRef<HTMLFormElement>(null);
  const notice = state.status === 'signed-out' ? state.notice : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(
      async () => {
        const outcome = await login(email.trim(), password);
        if (outcome.kind === 'second-factor') {
          setPendingToken(outcome.pendingToken);
        } else {
          signedIn({ ...outcome.user, twoFactorEnabled: outcome.user.twoFactorEnabled ?? false });
        }
      },
      (caught) => {
        if (caught instanceof LatchkeyError && caught.code === 'INVALID_CREDENTIALS') {
          setPassword('');
          form.current?.querySelector<HTMLInputElement>('input[type="password"]')?.focus();
        }
      },
    );
  };

  const restart = (message: string | null) => {
    setPendingToken(null);
    setPassword('');
    setError(message);
  };

  return (
    <AuthFrame>
      <PageHeading title="Sign in" />
      {notice && !error && !pendingToken ? <Alert kind="info">{notice}</Alert> : null}
      {pendingToken ? (
        <SecondFactorForm
          pendingToken={pendingToken}
          onSignedIn={(user) => signedIn({ ...user, twoFactorEnabled: true })}
          onRestart={restart}
        />
      ) : (
        <form ref={form} className="stack" onSubmit={(event) => void submit(event)} noValidate={false}>
          {error ? <Alert>{error}</Alert> : null}
          <Field
            label="E-mail address"
            type="email"
            autoComplete="username"
            required
            value={email}
            onValue={setEmail}
          />
          <Field
            label="Password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onValue={setPassword}
          />
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      )}
      {features.status === 'ready' && features.data.registrationEnabled && !pendingToken ? (
        <p className="auth-switch">
          No account yet? <Link to="/sign-up">Create one</Link>
        </p>
      ) : null}
    </AuthFrame>
  );
}

import { useState, type FormEvent } from 'react';
import { fetchFeatures, register } from '../api/auth.js';
import { useAuth } from '../auth/auth-context.js';
import { Alert } from '../components/alert.js';
import { AuthFrame } from '../components/auth-frame.js';
import { Field } from '../components/field.js';
import { LoadState } from '../components/load-state.js';
import { NewPasswordField } from '../components/new-password-field.js';
import { PageHeading } from '../components/page-heading.js';
import { useAction } from '../lib/use-action.js';
import { useLoad } from '../lib/use-load.js';
import { Link } from '../router.js';

/** Self sign-up, when the server allows it. */
export function SignUpPage() {
  const { signedIn } = useAuth();
  const [features, reload] = useLoad(fetchFeatures, []);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => {
      const user = await register(email.trim(), password);
      signedIn({ ...user, twoFactorEnabled: false });
    });
  };

  return (
    <AuthFrame>
      <PageHeading title="Create an account" />
      <LoadState state={features} label="sign-up settings" onRetry={reload}>
        {({ registrationEnabled }) =>
          registrationEnabled ? (
            <form className="stack" onSubmit={(event) => void submit(event)}>
              {error ? <Alert>{error}</Alert> : null}
              <Field
                label="E-mail address"
                type="email"
                autoComplete="username"
                required
                value={email}
                onValue={setEmail}
              />
              <NewPasswordField label="Password" value={password} onValue={setPassword} />
              <button type="submit" className="button button-primary button-block" disabled={busy}>
                {busy ? 'Creating account…' : 'Create account'}
              </button>
            </form>
          ) : (
            <Alert kind="info">Sign-up is turned off on this server. Ask an administrator for an account.</Alert>
          )
        }
      </LoadState>
      <p className="auth-switch">
        Already have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </AuthFrame>
  );
}

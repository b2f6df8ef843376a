import { useEffect, useRef, useState, type FormEvent } from 'react';
import { verifySecondFactor, type User } from '../api/auth.js';
import { LatchkeyError } from '@latchkey/client';
import { Alert } from '../components/alert.js';
import { Field } from '../components/field.js';
import { describeError } from '../lib/error-message.js';
import { useAction } from '../lib/use-action.js';

interface SecondFactorFormProps {
  pendingToken: string;
  onSignedIn(user: User): void;
  /** Back to the password step, with a message to show there (or none). */
  onRestart(message: string | null): void;
}

/** The second login step: the authenticator's current code, or one recovery code. */
export function SecondFactorForm({ pendingToken, onSignedIn, onRestart }: SecondFactorFormProps) {
  const [code, setCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const { busy, error, run } = useAction();
  const container = useRef<HTMLFormElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refocuses when the input switches.
  useEffect(() => {
    container.current?.querySelector('input')?.focus();
  }, [useRecovery]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(
      async () => onSignedIn(await verifySecondFactor(pendingToken, code.trim())),
      (caught) => {
        // A new code cannot revive this sign-in; the message belongs on the password step.
        if (caught instanceof LatchkeyError && caught.code === 'INVALID_PENDING_TOKEN') {
          onRestart(describeError(caught));
          return true;
        }
        setCode('');
        container.current?.querySelector('input')?.focus();
      },
    );
  };

  return (
    <form ref={container} className="stack" onSubmit={(event) => void submit(event)}>
      <h2 className="step-title">Two-factor authentication</h2>
      {error ? <Alert>{error}</Alert> : null}
      {useRecovery ? (
        <Field
          key="recovery"
          label="Recovery code"
          hint="One of the codes you saved when you turned on two-factor. Each works once."
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          required
          value={code}
          onValue={setCode}
        />
      ) : (
        <Field
          key="totp"
          label="Authentication code"
          hint="The 6-digit code from your authenticator app."
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          value={code}
          onValue={setCode}
        />
      )}
      <button type="submit" className="button button-primary button-block" disabled={busy}>
        {busy ? 'Verifying…' : 'Verify'}
      </button>
      <div className="actions actions-between">
        <button type="button" className="button button-link" onClick={() => setUseRecovery(!useRecovery)}>
          {useRecovery ? 'Use the authenticator app instead' : 'Use a recovery code instead'}
        </button>
        <button type="button" className="button button-link" onClick={() => onRestart(null)}>
          Start over
        </button>
      </div>
    </form>
  );
}

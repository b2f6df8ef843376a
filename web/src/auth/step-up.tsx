import { createContext, useCallback, useContext, useId, useState, type FormEvent, type ReactNode } from 'react';
import { LatchkeyError } from '@latchkey/client';
import { reauthenticate } from '../api/auth.js';
import { Alert } from '../components/alert.js';
import { CodeField } from '../components/code-field.js';
import { Field } from '../components/field.js';
import { useModal } from '../components/modal.js';
import { describeError } from '../lib/error-message.js';
import { useAuth } from './auth-context.js';

/** Asks the person to confirm their password (and code); resolves true once the server agreed. */
type ConfirmIdentity = () => Promise<boolean>;

// Outside the provider (never, in the app) nothing can be confirmed: the original error shows.
const StepUpContext = createContext<ConfirmIdentity>(async () => false);

function StepUpDialog({ twoFactor, onClose }: { twoFactor: boolean; onClose(confirmed: boolean): void }) {
  const dialog = useModal();
  const id = useId();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await reauthenticate(password, twoFactor ? code.trim() : undefined);
      onClose(true);
    } catch (caught) {
      setPassword('');
      setCode('');
      setError(
        caught instanceof LatchkeyError && caught.code === 'INVALID_CREDENTIALS'
          ? 'The password is not correct.'
          : describeError(caught),
      );
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(event) => {
        event.preventDefault();
        onClose(false);
      }}
    >
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <h2 id={`${id}-title`}>Confirm it’s you</h2>
        <p className="dialog-message">You signed in a while ago. Enter your password to go on with this change.</p>
        {error ? <Alert>{error}</Alert> : null}
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          autoFocus
          value={password}
          onValue={setPassword}
        />
        {twoFactor ? <CodeField value={code} onValue={setCode} /> : null}
        <div className="actions actions-end">
          <button type="button" className="button button-secondary" onClick={() => onClose(false)}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Confirming…' : 'Confirm'}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/**
 * Step-up for the whole app: an action the server refuses with RECENT_LOGIN_REQUIRED (a new
 * token or key, two-factor changes) asks for the password in a dialog, instead of sending the
 * person to sign out and in again; useAction then retries the action once.
 */
export function StepUpProvider({ children }: { children: ReactNode }) {
  const { state } = useAuth();
  const [pending, setPending] = useState<((confirmed: boolean) => void) | null>(null);
  const confirmIdentity = useCallback(() => new Promise<boolean>((resolve) => setPending(() => resolve)), []);
  const twoFactor = state.status === 'signed-in' && state.user.twoFactorEnabled === true;
  return (
    <StepUpContext.Provider value={confirmIdentity}>
      {children}
      {pending ? (
        <StepUpDialog
          twoFactor={twoFactor}
          onClose={(confirmed) => {
            pending(confirmed);
            setPending(null);
          }}
        />
      ) : null}
    </StepUpContext.Provider>
  );
}

export function useStepUp(): ConfirmIdentity {
  return useContext(StepUpContext);
}

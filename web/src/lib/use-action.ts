import { useState } from 'react';
import { LatchkeyError } from '@latchkey/client';
import { useStepUp } from '../auth/step-up.js';
import { describeError } from './error-message.js';

/**
 * State for a form or button that calls the API: `busy` while a call is under way (to disable the
 * button), `error` with what to tell the person when it failed. `setError` shows a message of the
 * form's own, such as a check made before anything is sent.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirmIdentity = useStepUp();

  /** Runs `action`; if the server wants a recent login, asks for the password, then runs it once more. */
  const withStepUp = async (action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (caught) {
      if (!(caught instanceof LatchkeyError && caught.code === 'RECENT_LOGIN_REQUIRED') || !(await confirmIdentity()))
        throw caught;
      await action();
    }
  };

  /**
   * Runs `action`, clearing the last error first; never rejects. A failure goes to `onError` first
   * (to clear a field, move focus), then is shown, unless `onError` returns true: it dealt with it.
   */
  const run = async (action: () => Promise<unknown>, onError?: (caught: unknown) => boolean | void) => {
    setBusy(true);
    setError(null);
    try {
      await withStepUp(action);
    } catch (caught) {
      if (onError?.(caught) !== true) setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  return { busy, error, setError, run };
}

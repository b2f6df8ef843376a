import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { logout, restoreSession, type User } from '../api/auth.js';
import { onSessionEnded } from '../api/latchkey.js';
import { describeError } from '../lib/error-message.js';

export type AuthState =
  | { status: 'loading' }
  /** `returnTo`: after an unexpected end, sign-in leads back to the page the user was on. */
  | { status: 'signed-out'; notice: string | null; returnTo: boolean }
  | { status: 'signed-in'; user: User };

interface AuthContextValue {
  state: AuthState;
  /** After login, 2FA or sign-up: the access token is already held by @latchkey/client. */
  signedIn(user: User): void;
  /** Resolves to an error message when the server could not end the session. */
  signOut(): Promise<string | null>;
  /** The session is gone (e.g. "sign out everywhere"): back to sign-in with a notice. */
  endSession(notice: string): void;
  /** Updates what the dashboard knows of the user (e.g. 2FA turned on). */
  updateUser(changes: Partial<User>): void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

// One start-up refresh per page load, even if React mounts the provider twice (StrictMode).
let restoring: Promise<User | null> | null = null;

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });

  useEffect(() => {
    let active = true;
    restoring ??= restoreSession();
    restoring.then(
      (user) => {
        if (active)
          setState(user ? { status: 'signed-in', user } : { status: 'signed-out', notice: null, returnTo: true });
      },
      () => {
        // The server did not answer (or failed): the session may well be fine, so say so.
        const notice = 'Could not reach the server to restore your session. Reload the page to try again, or sign in.';
        if (active) setState({ status: 'signed-out', notice, returnTo: true });
      },
    );
    return () => {
      active = false;
    };
  }, []);

  useEffect(
    () =>
      onSessionEnded((reason) => {
        // A sign-out here sets its own notice right after; this one is for a sign-out in another tab.
        const notice =
          reason === 'logout'
            ? 'You have signed out.'
            : reason === 'expired'
              ? 'Your session has expired. Please sign in again.'
              : 'Your session has ended. Please sign in again.';
        setState((current) =>
          current.status === 'signed-in' ? { status: 'signed-out', notice, returnTo: reason !== 'logout' } : current,
        );
      }),
    [],
  );

  const signedIn = useCallback((user: User) => setState({ status: 'signed-in', user }), []);

  /**
   * Signs out on the server first. If the server could not end the session (it is down, say), the
   * person stays signed in and is told: pretending otherwise would leave a live session behind,
   * resumed by the refresh cookie on the next visit. (A session that had already ended counts as
   * signed out: the client resolves.)
   */
  const signOut = useCallback(async (): Promise<string | null> => {
    try {
      await logout();
    } catch (caught) {
      return `Could not sign out: ${describeError(caught)}`;
    }
    setState({ status: 'signed-out', notice: 'You have signed out.', returnTo: false });
    return null;
  }, []);

  const endSession = useCallback((notice: string) => {
    setState({ status: 'signed-out', notice, returnTo: false });
  }, []);

  const updateUser = useCallback((changes: Partial<User>) => {
    setState((current) =>
      current.status === 'signed-in' ? { status: 'signed-in', user: { ...current.user, ...changes } } : current,
    );
  }, []);

  const value = useMemo(
    () => ({ state, signedIn, signOut, endSession, updateUser }),
    [state, signedIn, signOut, endSession, updateUser],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new TypeError('useAuth: no AuthProvider above this component');
  return value;
}

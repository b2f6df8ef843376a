import { useState, type ReactNode } from 'react';
import { useAuth } from '../auth/auth-context.js';
import { Link } from '../router.js';
import { Alert } from './alert.js';

/** The signed-in frame: skip link, header with the main navigation and sign-out, then the page. */
export function AppShell({ email, children }: { email: string; children: ReactNode }) {
  const { signOut } = useAuth();
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<string | null>(null);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/agents" className="brand">
            <img src="/favicon.svg" alt="" width="24" height="24" />
            Latchkey
          </Link>
          <nav aria-label="Main" className="mainnav">
            <Link to="/agents">Agents</Link>
            <Link to="/voice-logs">Voice logs</Link>
            <Link to="/settings/api-keys" activePrefix="/settings/">
              Settings
            </Link>
          </nav>
          <div className="account">
            <span className="account-email" title={email}>
              {email}
            </span>
            <button
              type="button"
              className="button button-secondary button-small"
              disabled={signingOut}
              onClick={async () => {
                setSigningOut(true);
                setSignOutError(null);
                const error = await signOut();
                // On success this frame is gone; on failure the person stays signed in and is told.
                if (error) {
                  setSignOutError(error);
                  setSigningOut(false);
                }
              }}
            >
              {signingOut ? 'Signing out…' : 'Sign out'}
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="content">
        {signOutError && <Alert kind="error">{signOutError}</Alert>}
        {children}
      </main>
    </>
  );
}

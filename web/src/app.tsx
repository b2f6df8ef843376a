import { useEffect, type ComponentType } from 'react';
import { AuthProvider, useAuth, type AuthState } from './auth/auth-context.js';
import { StepUpProvider } from './auth/step-up.js';
import { AppShell } from './components/app-shell.js';
import { AgentsPage } from './pages/agents-page.js';
import { ApiKeysPage } from './pages/api-keys-page.js';
import { IngestKeyPage } from './pages/ingest-key-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { SecurityPage } from './pages/security-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { SignUpPage } from './pages/sign-up-page.js';
import { VoiceLogsPage } from './pages/voice-logs-page.js';
import { navigate, safeNextPath, useLocationPath } from './router.js';

const HOME = '/agents';

const SIGNED_OUT_PAGES: Record<string, ComponentType> = {
  '/sign-in': SignInPage,
  '/sign-up': SignUpPage,
};

const SIGNED_IN_PAGES: Record<string, ComponentType> = {
  '/agents': AgentsPage,
  '/voice-logs': VoiceLogsPage,
  '/settings/api-keys': ApiKeysPage,
  '/settings/api-key': IngestKeyPage,
  '/settings/security': SecurityPage,
};

const ALIASES: Record<string, string> = { '/': HOME, '/settings': '/settings/api-keys' };

/** Where the current address should send the user instead, if anywhere. */
function redirectFor(state: AuthState, pathname: string, search: string): string | null {
  if (state.status === 'loading') return null;
  const alias = ALIASES[pathname];
  if (alias) return alias + search;
  if (pathname in SIGNED_OUT_PAGES) {
    return state.status === 'signed-in' ? (safeNextPath(new URLSearchParams(search).get('next')) ?? HOME) : null;
  }
  if (state.status === 'signed-out') {
    const here = pathname + search;
    return here === HOME || !state.returnTo ? '/sign-in' : `/sign-in?next=${encodeURIComponent(here)}`;
  }
  return null;
}

function Routes() {
  const { state } = useAuth();
  const location = useLocationPath();
  const queryStart = location.indexOf('?');
  const rawPath = queryStart === -1 ? location : location.slice(0, queryStart);
  const search = queryStart === -1 ? '' : location.slice(queryStart);
  const pathname = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
  const redirect = redirectFor(state, pathname, search);

  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);

  if (state.status === 'loading') {
    return (
      <p className="boot" role="status">
        Loading…
      </p>
    );
  }
  if (redirect) return null;
  if (state.status === 'signed-out') {
    const Page = SIGNED_OUT_PAGES[pathname] ?? SignInPage;
    return <Page />;
  }
  const Page = SIGNED_IN_PAGES[pathname] ?? NotFoundPage;
  return (
    <AppShell email={state.user.email}>
      <Page key={pathname} />
    </AppShell>
  );
}

export function App() {
  return (
    <AuthProvider>
      <StepUpProvider>
        <Routes />
      </StepUpProvider>
    </AuthProvider>
  );
}

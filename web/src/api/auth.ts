import { apiRequest, publicRequest, refreshAccessToken, setAccessToken } from './client.js';

export interface User {
  id: string;
  email: string;
  role: string;
  plan: string;
  /** Present when the server reports it; otherwise the dashboard learns it as it goes. */
  twoFactorEnabled?: boolean;
}

interface SignedIn {
  user: User;
  token: string;
}

interface SecondStep {
  requires2FA: true;
  pendingToken: string;
}

export type LoginOutcome = { kind: 'signed-in'; user: User } | { kind: 'second-factor'; pendingToken: string };

function keep(result: SignedIn): User {
  setAccessToken(result.token);
  return result.user;
}

/** GET /api/v1/auth/features: what this server allows before sign-in. */
export async function fetchFeatures(): Promise<{ registrationEnabled: boolean }> {
  return publicRequest('/api/v1/auth/features');
}

export async function login(email: string, password: string): Promise<LoginOutcome> {
  const result = await publicRequest<SignedIn | SecondStep>('/api/v1/auth/login', {
    method: 'POST',
    body: { email, password },
    cookieMode: true,
  });
  if ('requires2FA' in result) return { kind: 'second-factor', pendingToken: result.pendingToken };
  return { kind: 'signed-in', user: keep(result) };
}

/** The second login step: a TOTP code or a recovery code. */
export async function verifySecondFactor(pendingToken: string, code: string): Promise<User> {
  const result = await publicRequest<SignedIn>('/api/v1/auth/verify-2fa', {
    method: 'POST',
    body: { pendingToken, code },
    cookieMode: true,
  });
  return keep(result);
}

export async function register(email: string, password: string): Promise<User> {
  const result = await publicRequest<SignedIn>('/api/v1/auth/register', {
    method: 'POST',
    body: { email, password },
    cookieMode: true,
  });
  return keep(result);
}

export async function fetchMe(): Promise<User> {
  return (await apiRequest<{ user: User }>('/api/v1/auth/me')).user;
}

/** Start-up: the refresh cookie (if any) buys an access token, so a reload stays signed in. */
export async function restoreSession(): Promise<User | null> {
  if (!(await refreshAccessToken())) return null;
  return fetchMe();
}

/** Revokes this session and clears the refresh cookie. */
export async function logout(): Promise<void> {
  try {
    await apiRequest('/api/v1/auth/logout', { method: 'POST', cookieMode: true });
  } finally {
    setAccessToken(null);
  }
}

/**
 * Step-up: proves the password (and code) again. The server replaces this session with a new one
 * (refresh token in the cookie) whose login is fresh; its access token is used from now on.
 */
export async function reauthenticate(password: string, code: string | undefined): Promise<void> {
  const body = code === undefined ? { password } : { password, code };
  keep(await apiRequest<SignedIn>('/api/v1/auth/reauthenticate', { method: 'POST', body, cookieMode: true }));
}

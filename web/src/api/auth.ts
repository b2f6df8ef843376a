import { ApiError, apiRequest, publicRequest, refreshAccessToken, setAccessToken } from './client.js';
import type { Answer } from './contract.js';

type LoginAnswer = Answer<'/api/v1/auth/login', 'post'>;
type Me = Answer<'/api/v1/auth/me', 'get'>;

/** twoFactorEnabled is present when the server reports it (/auth/me); otherwise the dashboard learns it as it goes. */
export type User = Exclude<LoginAnswer, { requires2FA: true }>['user'] & Partial<Pick<Me['user'], 'twoFactorEnabled'>>;

interface SignedIn {
  user: User;
  token: string;
}

export type LoginOutcome = { kind: 'signed-in'; user: User } | { kind: 'second-factor'; pendingToken: string };

function keep(result: SignedIn): User {
  setAccessToken(result.token);
  return result.user;
}

/** GET /api/v1/auth/features: what this server allows before sign-in. */
export async function fetchFeatures(): Promise<Answer<'/api/v1/auth/features', 'get'>> {
  return publicRequest('/api/v1/auth/features');
}

export async function login(email: string, password: string): Promise<LoginOutcome> {
  const result = await publicRequest<LoginAnswer>('/api/v1/auth/login', {
    method: 'POST',
    body: { email, password },
    cookieMode: true,
  });
  if ('requires2FA' in result) return { kind: 'second-factor', pendingToken: result.pendingToken };
  return { kind: 'signed-in', user: keep(result) };
}

/** The second login step: a TOTP code or a recovery code. */
export async function verifySecondFactor(pendingToken: string, code: string): Promise<User> {
  const result = await publicRequest<Answer<'/api/v1/auth/verify-2fa', 'post'>>('/api/v1/auth/verify-2fa', {
    method: 'POST',
    body: { pendingToken, code },
    cookieMode: true,
  });
  return keep(result);
}

export async function register(email: string, password: string): Promise<User> {
  const result = await publicRequest<Answer<'/api/v1/auth/register', 'post'>>('/api/v1/auth/register', {
    method: 'POST',
    body: { email, password },
    cookieMode: true,
  });
  // EMAIL_VERIFICATION=required: no session until the mailed link is used.
  if ('emailVerificationRequired' in result)
    throw new ApiError(403, 'EMAIL_NOT_VERIFIED', 'Account created: open the link mailed to you, then sign in');
  return keep(result);
}

export async function fetchMe(): Promise<User> {
  return (await apiRequest<Me>('/api/v1/auth/me')).user;
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
  keep(
    await apiRequest<Answer<'/api/v1/auth/reauthenticate', 'post'>>('/api/v1/auth/reauthenticate', {
      method: 'POST',
      body,
      cookieMode: true,
    }),
  );
}

import type { SessionAnswer } from '@latchkey/client';
import type { Answer } from './contract.js';
import { latchkey } from './latchkey.js';

type Me = Answer<'/api/v1/auth/me', 'get'>;

/** twoFactorEnabled is present when the server reports it (/auth/me); otherwise the dashboard learns it as it goes. */
export type User = SessionAnswer<'v1'>['user'] & Partial<Pick<Me['user'], 'twoFactorEnabled'>>;

export type LoginOutcome = { kind: 'signed-in'; user: User } | { kind: 'second-factor'; pendingToken: string };

/** GET /api/v1/auth/features: what this server allows before sign-in. */
export function fetchFeatures(): Promise<Answer<'/api/v1/auth/features', 'get'>> {
  return latchkey.request('get', '/api/v1/auth/features', { auth: false });
}

export async function login(email: string, password: string): Promise<LoginOutcome> {
  const result = await latchkey.login(email, password);
  if (result.status === 'two-factor') return { kind: 'second-factor', pendingToken: result.pendingToken };
  return { kind: 'signed-in', user: result.answer.user };
}

/** The second login step: a TOTP code or a recovery code. */
export async function verifySecondFactor(pendingToken: string, code: string): Promise<User> {
  return (await latchkey.verifyTwoFactor(pendingToken, code)).user;
}

export async function register(email: string, password: string): Promise<User> {
  return (await latchkey.register(email, password)).user;
}

export async function fetchMe(): Promise<User> {
  return (await latchkey.me()).user;
}

/** Start-up: the refresh cookie (if any) buys an access token, so a reload stays signed in. */
export async function restoreSession(): Promise<User | null> {
  return (await latchkey.restore()) ? fetchMe() : null;
}

/** Revokes this session and clears the refresh cookie. */
export function logout(): Promise<void> {
  return latchkey.logout();
}

/**
 * Step-up: proves the password (and code) again. The server replaces this session with a new one
 * (refresh token in the cookie) whose login is fresh; its access token is used from now on.
 */
export async function reauthenticate(password: string, code: string | undefined): Promise<void> {
  await latchkey.reauthenticate(password, code);
}

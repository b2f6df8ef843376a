import type { Answer, RequestBody } from './contract.js';
import { latchkey } from './latchkey.js';

export type TotpSetup = Answer<'/api/v1/auth/2fa/setup', 'post'>;

export function beginTotpSetup(): Promise<TotpSetup> {
  return latchkey.twoFactor.setup();
}

export async function confirmTotpSetup(code: string): Promise<string[]> {
  return (await latchkey.twoFactor.enable(code)).recoveryCodes;
}

export async function disableTotp(code: string, password: string): Promise<void> {
  await latchkey.twoFactor.disable(code, password);
}

export async function regenerateRecoveryCodes(code: string): Promise<string[]> {
  return (await latchkey.twoFactor.regenerateRecoveryCodes(code)).recoveryCodes;
}

/** `code` is required when the account has two-factor on. */
export type PasswordChange = RequestBody<'/api/v1/auth/change-password', 'post'>;

/**
 * Changes the password. The server replaces this session with a new one (its refresh token in the
 * cookie), whose access token is used from now on. Returns how many other sessions were signed out.
 */
export async function changePassword(change: PasswordChange): Promise<number> {
  return (await latchkey.changePassword(change)).otherSessionsRevoked;
}

export type Session = Answer<'/api/v1/auth/sessions', 'get'>[number];

export function listSessions(): Promise<Session[]> {
  return latchkey.sessions.list();
}

export function revokeSession(id: string): Promise<Answer<'/api/v1/auth/sessions/{id}', 'delete'>> {
  return latchkey.sessions.revoke(id);
}

/** Revokes every session of the user, this one included. */
export async function revokeAllSessions(): Promise<void> {
  await latchkey.sessions.revokeAll();
}

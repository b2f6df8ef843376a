import { apiRequest, setAccessToken } from './client.js';
import type { Answer, RequestBody } from './contract.js';

export type TotpSetup = Answer<'/api/v1/auth/2fa/setup', 'post'>;

export function beginTotpSetup(): Promise<TotpSetup> {
  return apiRequest('/api/v1/auth/2fa/setup', { method: 'POST' });
}

export async function confirmTotpSetup(code: string): Promise<string[]> {
  const path = '/api/v1/auth/2fa/verify-setup';
  return (await apiRequest<Answer<typeof path, 'post'>>(path, { method: 'POST', body: { code } })).recoveryCodes;
}

export async function disableTotp(code: string, password: string): Promise<void> {
  await apiRequest('/api/v1/auth/2fa/disable', { method: 'POST', body: { code, password } });
}

export async function regenerateRecoveryCodes(code: string): Promise<string[]> {
  const path = '/api/v1/auth/2fa/recovery-codes';
  return (await apiRequest<Answer<typeof path, 'post'>>(path, { method: 'POST', body: { code } })).recoveryCodes;
}

/** `code` is required when the account has two-factor on. */
export type PasswordChange = RequestBody<'/api/v1/auth/change-password', 'post'>;

/**
 * Changes the password. The server replaces this session with a new one (its refresh token in the
 * cookie), whose access token is used from now on. Returns how many other sessions were signed out.
 */
export async function changePassword(change: PasswordChange): Promise<number> {
  const result = await apiRequest<Answer<'/api/v1/auth/change-password', 'post'>>('/api/v1/auth/change-password', {
    method: 'POST',
    body: change,
    cookieMode: true,
  });
  setAccessToken(result.token);
  return result.otherSessionsRevoked;
}

export type Session = Answer<'/api/v1/auth/sessions', 'get'>[number];

export function listSessions(): Promise<Session[]> {
  return apiRequest('/api/v1/auth/sessions');
}

export function revokeSession(id: string): Promise<Answer<'/api/v1/auth/sessions/{id}', 'delete'>> {
  return apiRequest(`/api/v1/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Revokes every session of the user, this one included. */
export async function revokeAllSessions(): Promise<void> {
  await apiRequest('/api/v1/auth/sessions', { method: 'DELETE' });
}

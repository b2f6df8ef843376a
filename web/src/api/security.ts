import { apiRequest, setAccessToken } from './client.js';

export interface TotpSetup {
  secret: string;
  otpauthUrl: string;
  qrCodeDataUrl: string;
}

export function beginTotpSetup(): Promise<TotpSetup> {
  return apiRequest('/api/v1/auth/2fa/setup', { method: 'POST' });
}

export async function confirmTotpSetup(code: string): Promise<string[]> {
  return (await apiRequest<{ recoveryCodes: string[] }>('/api/v1/auth/2fa/verify-setup', { method: 'POST', body: { code } })).recoveryCodes;
}

export async function disableTotp(code: string, password: string): Promise<void> {
  await apiRequest('/api/v1/auth/2fa/disable', { method: 'POST', body: { code, password } });
}

export async function regenerateRecoveryCodes(code: string): Promise<string[]> {
  return (await apiRequest<{ recoveryCodes: string[] }>('/api/v1/auth/2fa/recovery-codes', { method: 'POST', body: { code } })).recoveryCodes;
}

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  /** Required when the account has two-factor on. */
  code?: string;
  revokeOtherSessions: boolean;
}

/**
 * Changes the password. The server replaces this session with a new one (its refresh token in the
 * cookie), whose access token is used from now on. Returns how many other sessions were signed out.
 */
export async function changePassword(change: PasswordChange): Promise<number> {
  const result = await apiRequest<{ token: string; otherSessionsRevoked: number }>('/api/v1/auth/change-password', {
    method: 'POST',
    body: change,
    cookieMode: true,
  });
  setAccessToken(result.token);
  return result.otherSessionsRevoked;
}

export interface Session {
  id: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  current: boolean;
}

export function listSessions(): Promise<Session[]> {
  return apiRequest('/api/v1/auth/sessions');
}

export function revokeSession(id: string): Promise<{ revoked: true }> {
  return apiRequest(`/api/v1/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Revokes every session of the user, this one included. */
export async function revokeAllSessions(): Promise<void> {
  await apiRequest('/api/v1/auth/sessions', { method: 'DELETE' });
}

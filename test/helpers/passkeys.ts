import { expect } from 'vitest';
import type { Caller, Response } from './api.js';
import type { TestServer } from './server.js';
import { SoftAuthenticator } from './webauthn.js';

/** The relying party the passkey tests configure: one RP ID serving two origins. */
export const RP_ID = 'example.com';
export const ORIGIN = 'https://auth.example.com';
export const OTHER_ORIGIN = 'https://app.example.com';
export const PASSKEY_ENV = { WEBAUTHN_RP_ID: RP_ID, WEBAUTHN_ORIGINS: `${ORIGIN},${OTHER_ORIGIN}` };

export function platformAuthenticator(settings: Partial<ConstructorParameters<typeof SoftAuthenticator>[0]> = {}) {
  return new SoftAuthenticator({ origin: ORIGIN, ...settings });
}

/** Registers a passkey from `authenticator` for the session `token` on the v1 surface; returns its body. */
export async function registerPasskey(
  client: Caller,
  token: string,
  authenticator: SoftAuthenticator,
  name?: string,
): Promise<{ id: string; name: string; backedUp: boolean; transports: string[] }> {
  const options = await client.post('/api/v1/auth/passkeys/register/options', undefined, token);
  expect(options.status).toBe(200);
  const res = await client.post(
    '/api/v1/auth/passkeys/register/verify',
    { response: authenticator.register(options.body.data), ...(name ? { name } : {}) },
    token,
  );
  expect(res.status).toBe(201);
  return res.body.data;
}

/** v1 login options (discoverable unless `email` is given): `{options, challengeToken}`. */
export async function loginOptions(client: Caller, email?: string): Promise<{ options: any; challengeToken: string }> {
  const res = await client.post('/api/v1/auth/passkeys/login/options', email ? { email } : {});
  expect(res.status).toBe(200);
  const { challengeToken, ...options } = res.body.data;
  return { options, challengeToken };
}

/** Signs in with a passkey on the v1 surface: options, the authenticator, verify. */
export async function passkeyLogin(
  client: Caller,
  authenticator: SoftAuthenticator,
  overrides: Parameters<SoftAuthenticator['authenticate']>[1] = {},
): Promise<Response> {
  const { options, challengeToken } = await loginOptions(client);
  return client.post('/api/v1/auth/passkeys/login/verify', {
    challengeToken,
    response: authenticator.authenticate(options, overrides),
  });
}

/** PATCH through app.inject (the Caller helper has no PATCH). */
export async function patch(server: TestServer, client: Caller, url: string, body: unknown, token: string) {
  const res = await server.app.inject({
    method: 'PATCH',
    url,
    remoteAddress: client.ip,
    headers: { authorization: `Bearer ${token}` },
    payload: body as object,
  });
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

// A real Latchkey for the verifier's tests, started in-process from the server's own test helpers
// (tests may import server code; the package's source may not).
import { type ClientPermissions, registerClient } from '../../../../src/core/index.js';
import { caller, createPat, registerV1 } from '../../../../test/helpers/api.js';
import { freePort } from '../../../../test/helpers/ports.js';
import { startServer, type TestServer, uniqueEmail } from '../../../../test/helpers/server.js';
import type { StorageTarget } from '../../../../test/helpers/targets.js';

export { caller, createPat, registerV1, uniqueEmail, type TestServer };

/** Heartbeats every second in tests, so a verifier can be told stale within two. */
export const TEST_ENV = { REVOCATION_FEED_HEARTBEAT_SECONDS: '1' };

export interface ServedLatchkey {
  server: TestServer;
  /** Its PUBLIC_URL (the issuer), where it listens. */
  base: string;
  port: number;
}

/**
 * Latchkey over `target`, listening on `port` (a free one by default) with PUBLIC_URL set to that
 * address, so its metadata names endpoints a verifier can reach.
 */
export async function serveLatchkey(
  target: StorageTarget,
  options: { port?: number; publicUrl?: string; env?: Record<string, string> } = {},
): Promise<ServedLatchkey> {
  const port = options.port ?? (await freePort());
  const base = options.publicUrl ?? `http://127.0.0.1:${port}`;
  const server = await startServer(target, { ...TEST_ENV, PUBLIC_URL: base, ...options.env });
  await server.app.listen({ port, host: '127.0.0.1' });
  return { server, base, port };
}

/** A resource server's client (introspection and the feed, agents:read by default) and its credentials. */
export async function registerResourceServer(
  server: TestServer,
  permissions: Partial<ClientPermissions> = {},
): Promise<{ clientId: string; clientSecret: string }> {
  const { client, secret } = await registerClient(
    server.core,
    { name: 'agents-api', scopes: ['agents:read'], canIntrospect: true, canReadRevocations: true, ...permissions },
    { userId: null, ctx: { ip: '127.0.0.1', userAgent: 'test' } },
  );
  return { clientId: client.id, clientSecret: secret };
}

/** A client-credentials token of the client, for `scope` (all of its scopes by default). */
export async function clientCredentialsToken(
  base: string,
  client: { clientId: string; clientSecret: string },
  scope?: string,
): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: form.toString(),
  });
  const body = (await response.json()) as { access_token: string };
  if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** A user signed up through the v1 surface: its session token and a PAT with `scopes`. */
export async function newUser(server: TestServer, scopes = ['agents:read']) {
  const login = await registerV1(caller(server), uniqueEmail('verify'));
  const pat = await createPat(caller(server), login.token, scopes);
  return { id: login.user.id as string, token: login.token, refreshToken: login.refreshToken, pat };
}

/** Logs the session of `token` out over HTTP. */
export async function logout(base: string, token: string): Promise<void> {
  const response = await fetch(`${base}/api/v1/auth/logout`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`logout answered ${response.status}`);
}

/** Revokes the PAT `pat` (by its id, from the list) with the owner's session `token`. */
export async function revokePat(base: string, token: string, pat: string): Promise<void> {
  const headers = { authorization: `Bearer ${token}` };
  const list = (await (await fetch(`${base}/api/v1/tokens`, { headers })).json()) as {
    data: { id: string; prefix: string }[];
  };
  const match = list.data.find((entry) => pat.startsWith(entry.prefix));
  if (!match) throw new Error('no such PAT in the list');
  const response = await fetch(`${base}/api/v1/tokens/${match.id}`, { method: 'DELETE', headers });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`PAT revocation answered ${response.status}`);
}

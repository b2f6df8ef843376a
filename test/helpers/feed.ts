import { registerClient } from '../../src/core/index.js';
import { EventReader } from './sse.js';
import type { TestServer } from './server.js';

const OPERATOR = { userId: null, ctx: { ip: 'cli', userAgent: 'test' } };

/** `Authorization: Basic` for a client (RFC 6749 section 2.3.1: each part form-encoded). */
export function basicAuth(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** Registers a resource server (by the operator) and returns its Basic credentials. */
export async function feedReader(
  server: TestServer,
  canReadRevocations = true,
): Promise<{ clientId: string; authorization: string }> {
  const { client, secret } = await registerClient(
    server.core,
    { name: 'verifier', scopes: ['agents:read'], canIntrospect: false, canReadRevocations },
    OPERATOR,
  );
  return { clientId: client.id, authorization: basicAuth(client.id, secret) };
}

/** Makes the server listen on a free loopback port (closed with it); returns its base URL. */
export async function listening(server: TestServer): Promise<string> {
  if (!server.app.server.listening) await server.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = server.app.server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

/** Opens GET /oauth/revocations as an event stream with `authorization` (and Last-Event-ID). */
export async function openFeed(base: string, authorization: string, lastEventId?: string): Promise<EventReader> {
  const reader = await EventReader.open(`${base}/oauth/revocations`, {
    authorization,
    ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
  });
  if (reader.response.status !== 200) throw new Error(`the feed answered ${reader.response.status}`);
  return reader;
}

/** The `jti` claim of a JWT (unverified: the test minted it). */
export function jtiOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;
}

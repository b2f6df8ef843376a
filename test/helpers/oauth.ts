import { expect } from 'vitest';
import { type ClientActor, type ClientPermissions, registerClient } from '../../src/core/index.js';
import type { Response } from './api.js';
import { type TestServer, uniqueIp } from './server.js';

/** The operator (the CLI): clients in tests are registered through core, as `latchkey client create` does. */
export const OPERATOR: ClientActor = { userId: null, ctx: { ip: '127.0.0.1', userAgent: 'test' } };

export interface TestClient {
  id: string;
  secret: string;
  /** The Authorization header of client_secret_basic. */
  basic: string;
}

/** HTTP Basic with the form-encoded id and secret (RFC 6749 section 2.3.1). */
export function basicAuth(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replaceAll('%20', '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

/** Registers a client with `permissions` (by default agents:read and nothing else). */
export async function newClient(server: TestServer, permissions: Partial<ClientPermissions> = {}): Promise<TestClient> {
  const { client, secret } = await registerClient(
    server.core,
    { name: 'test client', scopes: ['agents:read'], canIntrospect: false, canReadRevocations: false, ...permissions },
    OPERATOR,
  );
  return { id: client.id, secret, basic: basicAuth(client.id, secret) };
}

/** A resource server: a client allowed to introspect. */
export function newResourceServer(server: TestServer): Promise<TestClient> {
  return newClient(server, { scopes: ['agents:read'], canIntrospect: true });
}

export interface FormPost {
  /** The Authorization header; none when absent. */
  authorization?: string;
  ip?: string;
  contentType?: string;
}

/** POSTs `params` as a form body (or `payload` as is, with its content type) through app.inject. */
export async function postForm(
  server: TestServer,
  url: string,
  params: Record<string, string> | string,
  options: FormPost = {},
): Promise<Response> {
  const res = await server.app.inject({
    method: 'POST',
    url,
    remoteAddress: options.ip ?? uniqueIp(),
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      ...(options.authorization ? { authorization: options.authorization } : {}),
    },
    payload: typeof params === 'string' ? params : new URLSearchParams(params).toString(),
  });
  return { status: res.statusCode, headers: res.headers, body: res.body ? JSON.parse(res.body) : undefined };
}

/** Expects an RFC 6749 section 5.2 refusal: `status`, `{error, error_description}`, no-store. */
export function expectOAuthError(res: Response, status: number, error: string): void {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: { error, error_description: expect.any(String) },
  });
  expect(res.headers['cache-control']).toBe('no-store');
}

/** A client-credentials access token of `client` (its default scopes unless `scope` is given). */
export async function clientToken(server: TestServer, client: TestClient, scope?: string): Promise<string> {
  const res = await postForm(
    server,
    '/oauth/token',
    { grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }) },
    { authorization: client.basic },
  );
  expect(res.status).toBe(200);
  return res.body.access_token;
}

/** What /oauth/introspect answers `introspector` about `token` (the request must succeed). */
export async function introspect(server: TestServer, introspector: TestClient, token: string): Promise<unknown> {
  const res = await postForm(server, '/oauth/introspect', { token }, { authorization: introspector.basic });
  expect(res.status).toBe(200);
  return res.body;
}

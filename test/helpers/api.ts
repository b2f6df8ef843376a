import type { TestServer } from './server.js';
import { uniqueIp } from './server.js';

export const PASSWORD = 'correct horse battery';

export interface Caller {
  ip: string;
  post(url: string, body?: unknown, token?: string): Promise<Response>;
  get(url: string, token?: string): Promise<Response>;
  delete(url: string, token?: string): Promise<Response>;
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any;
}

/** A client with a fixed address, talking to the server through app.inject. */
export function caller(server: TestServer, ip = uniqueIp()): Caller {
  const send = async (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body: unknown,
    token: string | undefined,
  ): Promise<Response> => {
    const res = await server.app.inject({
      method,
      url,
      remoteAddress: ip,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: res.statusCode, headers: res.headers, body: res.body ? JSON.parse(res.body) : undefined };
  };
  return {
    ip,
    post: (url, body, token) => send('POST', url, body, token),
    get: (url, token) => send('GET', url, undefined, token),
    delete: (url, token) => send('DELETE', url, undefined, token),
  };
}

/** Registers through the v1 surface and returns the login body's data. */
export async function registerV1(
  client: Caller,
  email: string,
  password = PASSWORD,
): Promise<{ user: any; token: string; refreshToken: string }> {
  const res = await client.post('/api/v1/auth/register', { email, password });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/** Creates a personal access token through the v1 surface with the session `token`; returns its secret. */
export async function createPat(client: Caller, token: string, scopes: string[] = ['agents:read']): Promise<string> {
  const res = await client.post('/api/v1/tokens', { name: 'test token', scopes }, token);
  if (res.status !== 201) throw new Error(`PAT creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.token;
}

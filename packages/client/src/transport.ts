import { errorOf } from './errors.js';

/** The fetch the client calls: the global one unless the app passes its own. */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/** Fetch's `credentials` option. */
export type Credentials = 'omit' | 'same-origin' | 'include';

export interface Call {
  method: string;
  path: string;
  query?: Record<string, unknown> | undefined;
  body?: unknown;
  token?: string | null | undefined;
  /** Sends `x-refresh-token-mode: cookie`: the refresh token goes in (or out of) the HttpOnly cookie. */
  cookieMode?: boolean;
}

// The server keeps the refresh token in its cookie when it sees this header. A cross-site form
// cannot send a custom header, so it is also what stops CSRF on /auth/refresh.
const COOKIE_MODE_HEADER = 'x-refresh-token-mode';

function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.append(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** One HTTP exchange: the answer's JSON (the v1 envelope's `data`), or a LatchkeyError. */
export async function send(fetcher: Fetch, baseUrl: string, credentials: Credentials, call: Call): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (call.cookieMode) headers[COOKIE_MODE_HEADER] = 'cookie';
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetcher(`${baseUrl}${call.path}${queryString(call.query)}`, {
    method: call.method.toUpperCase(),
    headers,
    credentials,
    ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) throw errorOf(response.status, response.statusText, response.headers, body);
  if (body && typeof body === 'object' && 'success' in body && 'data' in body) return (body as { data: unknown }).data;
  return body;
}

import { VerifyError } from './errors.js';

/** How an adapter answers a refused request. */
export interface Refusal {
  status: number;
  headers: Record<string, string>;
  body: { error: { code: string; message: string } };
}

// RFC 6750 section 3: error_description and scope hold %x20-21 / %x23-5B / %x5D-7E only, so no
// quote, backslash or line break can reach the header.
function quoted(value: string): string {
  return `"${value.replaceAll('"', "'").replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;
}

/**
 * The answer to a request refused with `error`: its status, `{error: {code, message}}`, and the
 * RFC 6750 section 3 challenge: bare when no token came, `invalid_token` when one was refused,
 * `insufficient_scope` with the scope. AUTH_UNAVAILABLE is a 503 with Retry-After and no challenge.
 */
export function refusalOf(error: VerifyError, realm = 'api'): Refusal {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  const scheme = `Bearer realm=${quoted(realm)}`;
  if (error.code === 'NO_BEARER_TOKEN') headers['www-authenticate'] = scheme;
  else if (error.code === 'INSUFFICIENT_SCOPE') {
    headers['www-authenticate'] =
      `${scheme}, error="insufficient_scope", scope=${quoted(error.requiredScope ?? '')}, error_description=${quoted(error.message)}`;
  } else if (error.status === 401) {
    headers['www-authenticate'] = `${scheme}, error="invalid_token", error_description=${quoted(error.message)}`;
  } else if (error.code === 'AUTH_UNAVAILABLE') headers['retry-after'] = '1';
  return { status: error.status, headers, body: { error: { code: error.code, message: error.message } } };
}

/** The refusal for `error` if it is a VerifyError; anything else is the framework's to handle. */
export function asRefusal(error: unknown, realm?: string): Refusal | undefined {
  return error instanceof VerifyError ? refusalOf(error, realm) : undefined;
}

/**
 * What a request presents: its Authorization header, or else its X-API-Key (Latchkey's ingest
 * keys travel there).
 */
export function presentedCredential(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers.authorization ?? headers['x-api-key'];
  return Array.isArray(value) ? undefined : value;
}

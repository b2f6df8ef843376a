import type { OAuthClient } from '../../store/client-store.js';
import type { Core } from '../core.js';
import { rateLimitSubject } from '../limits/rate-limit-subject.js';
import { authenticateClient } from './clients.js';
import { OAuthError } from './oauth-error.js';

/** The client credentials a request presented (RFC 6749 section 2.3.1), whichever way. */
export interface PresentedClient {
  clientId: string;
  secret: string;
}

/** The challenge of a 401 from /oauth/* (RFC 6749 section 5.2: the client may authenticate by HTTP Basic). */
export const CLIENT_CHALLENGE = { 'www-authenticate': 'Basic realm="latchkey", charset="UTF-8"' };

function tooManyFailures(retryAfterMs: number): OAuthError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new OAuthError('invalid_client', `Too many failed client authentications; retry in ${seconds} s`, {
    status: 429,
    headers: { 'retry-after': String(seconds) },
  });
}

/**
 * Authenticates the client of an /oauth/* request. Failures count per client id and client IP
 * (CLIENT_AUTH_RATE_LIMIT per window): past the limit the answer is 429 with Retry-After, the
 * right secret included, so a guesser is slowed without locking the client out from its own
 * addresses.
 */
export async function requireClient(core: Core, presented: PresentedClient | null, ip: string): Promise<OAuthClient> {
  if (!presented) {
    throw new OAuthError(
      'invalid_client',
      'Client authentication is required (HTTP Basic or client_id and client_secret)',
      { headers: CLIENT_CHALLENGE },
    );
  }
  const key = `${presented.clientId}|${rateLimitSubject(ip, core.config.loginRateLimitIpv6Prefix)}`;
  // Asked before the secret is checked: were a spent budget only reported on failures, a guesser
  // would still learn of the right secret by its 200.
  const budget = await core.clientAuthLimiter.peek(key);
  if (!budget.allowed) throw tooManyFailures(budget.retryAfterMs);
  const client = await authenticateClient(core, presented.clientId, presented.secret);
  if (client) return client;
  const limit = await core.clientAuthLimiter.consume(key);
  if (!limit.allowed) throw tooManyFailures(limit.retryAfterMs);
  throw new OAuthError('invalid_client', 'Client authentication failed', { headers: CLIENT_CHALLENGE });
}

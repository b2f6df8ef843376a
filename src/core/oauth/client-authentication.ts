import type { OAuthClient } from '../../store/client-store.js';
import type { Core } from '../core.js';
import { rateLimitSubject } from '../limits/rate-limit-subject.js';
import { authenticateClient } from './clients.js';
import { OAuthError } from './oauth-error.js';

/** The client credentials a request presented (RFC 6749 section 2.3.1), whichever way. */
export interface PresentedClient {
  clientId: string;
  secret: string;
  /** How they came: decides the challenge of a refusal. */
  method: 'client_secret_basic' | 'client_secret_post';
}

/**
 * Authenticates the client of an /oauth/* request. Failures count per client id and client IP
 * (CLIENT_AUTH_RATE_LIMIT per window): past the limit the answer is 429 with Retry-After, so a
 * guesser is slowed without locking the client out from its own addresses.
 */
export async function requireClient(core: Core, presented: PresentedClient | null, ip: string): Promise<OAuthClient> {
  const client = presented ? await authenticateClient(core, presented.clientId, presented.secret) : null;
  if (client) return client;
  const challenge = { 'www-authenticate': 'Basic realm="latchkey", charset="UTF-8"' };
  if (presented) {
    const subject = rateLimitSubject(ip, core.config.loginRateLimitIpv6Prefix);
    const limit = await core.clientAuthLimiter.consume(`${presented.clientId}|${subject}`);
    if (!limit.allowed) {
      const seconds = Math.max(1, Math.ceil(limit.retryAfterMs / 1000));
      throw new OAuthError('invalid_client', `Too many failed client authentications; retry in ${seconds} s`, {
        status: 429,
        headers: { 'retry-after': String(seconds) },
      });
    }
  }
  throw new OAuthError(
    'invalid_client',
    presented
      ? 'Client authentication failed'
      : 'Client authentication is required (HTTP Basic or client_id and client_secret)',
    { headers: challenge },
  );
}

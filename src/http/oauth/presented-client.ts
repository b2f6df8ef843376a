import type { FastifyRequest } from 'fastify';
import { CLIENT_CHALLENGE, OAuthError, type PresentedClient } from '../../core/index.js';

const BASIC_PREFIX = /^Basic /i;

function decodeComponent(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    throw new OAuthError('invalid_request', 'The Basic credentials are not valid form-encoding');
  }
}

/**
 * The client credentials of an /oauth/* request (RFC 6749 section 2.3.1): HTTP Basic with the
 * form-encoded id and secret (client_secret_basic), or client_id and client_secret in the body
 * (client_secret_post). Both at once is refused: a client uses one method per request.
 */
export function presentedClient(
  request: FastifyRequest,
  body: Record<string, string | undefined>,
): PresentedClient | null {
  const header = request.headers.authorization;
  const inBody = body.client_secret !== undefined;
  if (header !== undefined && BASIC_PREFIX.test(header)) {
    if (inBody) throw new OAuthError('invalid_request', 'Use one client authentication method: HTTP Basic or the body');
    const decoded = Buffer.from(header.replace(BASIC_PREFIX, '').trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0)
      throw new OAuthError('invalid_client', 'The Basic credentials have no colon', { headers: CLIENT_CHALLENGE });
    const clientId = decodeComponent(decoded.slice(0, colon));
    if (body.client_id !== undefined && body.client_id !== clientId) {
      throw new OAuthError('invalid_request', 'client_id in the body names another client than the Basic credentials');
    }
    return { clientId, secret: decodeComponent(decoded.slice(colon + 1)) };
  }
  if (inBody && body.client_id !== undefined) {
    return { clientId: body.client_id, secret: body.client_secret! };
  }
  return null;
}

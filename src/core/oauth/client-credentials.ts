import type { OAuthClient } from '../../store/client-store.js';
import type { Core } from '../core.js';
import { clientTokenNotBefore } from './clients.js';
import { OAuthError } from './oauth-error.js';

/** What the token endpoint answers (RFC 6749 section 5.1). */
export interface IssuedClientToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

// RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces.
const SCOPE_PARAMETER = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;

/**
 * The scopes to grant: those requested, each of which the client must hold; all of the client's
 * when none are requested (RFC 6749 section 3.3 lets the server pick a default).
 */
export function grantedScopes(client: OAuthClient, requested: string | undefined): string[] {
  if (requested === undefined) return client.scopes;
  if (!SCOPE_PARAMETER.test(requested))
    throw new OAuthError('invalid_scope', 'scope must be space-separated scope names');
  const scopes = [...new Set(requested.split(' '))];
  const beyond = scopes.filter((scope) => !client.scopes.includes(scope));
  if (beyond.length > 0) {
    throw new OAuthError('invalid_scope', `This client may not be granted: ${beyond.join(' ')}`);
  }
  return scopes;
}

/** The client credentials grant (RFC 6749 section 4.4): an RFC 9068 access token for the client itself. */
export async function issueClientToken(
  core: Core,
  client: OAuthClient,
  requestedScope: string | undefined,
): Promise<IssuedClientToken> {
  const scopes = grantedScopes(client, requestedScope);
  const { token } = await core.tokens.signClientAccess({ clientId: client.id, scopes }, clientTokenNotBefore(client));
  const now = core.clock();
  if (core.credentialCache.touchDue(client.id, now)) await core.stores.clients.touch(client.id, now);
  return { accessToken: token, expiresIn: core.config.accessTokenTtlSeconds, scope: scopes.join(' ') };
}

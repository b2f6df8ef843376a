import type { OAuthClient } from '../../store/client-store.js';
import type { RequestContext } from '../audit.js';
import { looksLike } from '../credentials/credentials.js';
import type { Core } from '../core.js';
import { denyKey } from '../revocation/denylist.js';
import { revokeSessions } from '../sessions/sessions.js';
import { OAuthError } from './oauth-error.js';

/** A resource server (it may introspect or read the feed) may also revoke the user tokens it is shown. */
function isResourceServer(client: OAuthClient): boolean {
  return client.canIntrospect || client.canReadRevocations;
}

function notYours(): OAuthError {
  return new OAuthError('unauthorized_client', 'This token was not issued to this client');
}

/**
 * RFC 7009: revokes a token the client was issued, or, for a resource server, a user's access
 * token (that token) or refresh token (its whole session, section 2.1). An unknown, invalid or
 * expired token is no error (section 2.2). Personal access tokens and ingest keys are revoked by
 * their owners: `unsupported_token_type`.
 */
export async function revokeToken(core: Core, client: OAuthClient, token: string, ctx: RequestContext): Promise<void> {
  if (looksLike(core, token, 'pat') || looksLike(core, token, 'ingest')) {
    throw new OAuthError('unsupported_token_type', 'Personal access tokens and API keys are revoked by their owner');
  }
  const access = await core.tokens.verifyAccess(token);
  if (access.ok) {
    const claims = access.claims;
    const own = 'clientId' in claims && claims.clientId === client.id;
    if (!own && ('clientId' in claims || !isResourceServer(client))) throw notYours();
    await core.denylist.revoke([denyKey.accessToken(claims.jti)], claims.exp * 1000);
    const kind = 'clientId' in claims ? 'client_access_token' : 'access_token';
    await core.audit.record('oauth_token_revoked', ctx, 'clientId' in claims ? null : claims.sub, {
      clientId: client.id,
      kind,
      jti: claims.jti,
    });
    return;
  }
  const refresh = await core.tokens.verifyRefresh(token);
  if (!refresh.ok) return;
  if (!isResourceServer(client)) throw notYours();
  await revokeSessions(core, [refresh.claims.sid]);
  await core.audit.record('oauth_token_revoked', ctx, refresh.claims.sub, {
    clientId: client.id,
    kind: 'refresh_token',
    sessionId: refresh.claims.sid,
  });
}

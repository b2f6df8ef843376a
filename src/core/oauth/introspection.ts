import type { OAuthClient } from '../../store/client-store.js';
import type { RequestContext } from '../audit.js';
import { clientTokenIsLive } from '../credentials/authenticate.js';
import { authenticateCredential, looksLike, SCOPES } from '../credentials/credentials.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { denyKey } from '../revocation/denylist.js';
import { OAuthError } from './oauth-error.js';

/** An RFC 7662 section 2.2 answer, in its own member names; `role` and `sid` are Latchkey's additions. */
export type Introspection =
  | { active: false }
  | {
      active: true;
      scope?: string;
      client_id?: string;
      sub: string;
      /** The user's e-mail, for user tokens. */
      username?: string;
      /** `Bearer` for what goes in Authorization, `ApiKey` for an ingest key (X-API-Key). */
      token_type: 'Bearer' | 'ApiKey';
      /** Absent for personal access tokens and keys: they live until revoked. */
      exp?: number;
      iat: number;
      iss: string;
      aud: string;
      jti: string;
      role?: string;
      sid?: string;
    };

const INACTIVE: Introspection = { active: false };

/**
 * What the token is, for a resource server allowed to ask (RFC 7662). Anything unknown, expired,
 * revoked, disabled, of another environment or malformed is exactly `{active: false}`; only an
 * outage of the revocation store is an error (the answer could not be trusted).
 */
export async function introspectToken(
  core: Core,
  client: OAuthClient,
  token: string,
  ctx: RequestContext,
): Promise<Introspection> {
  if (!client.canIntrospect)
    throw new OAuthError('unauthorized_client', 'This client may not introspect tokens', { status: 403 });
  const now = core.clock();
  // At most once a minute per client and instance: a resource server may introspect on every request.
  if (core.credentialCache.touchDue(`introspect:${client.id}`, now)) {
    await core.audit.record('oauth_introspection_used', ctx, null, { clientId: client.id });
  }
  try {
    return await describe(core, token);
  } catch (error) {
    // An outage (the revocation copy and the database both unreachable, hashing full) is not an answer.
    if (error instanceof AuthError && error.status < 500) return INACTIVE;
    throw error;
  }
}

async function describe(core: Core, token: string): Promise<Introspection> {
  const { issuer: iss, audience: aud } = core.config;
  for (const kind of ['pat', 'ingest'] as const) {
    if (!looksLike(core, token, kind)) continue;
    const credential = await authenticateCredential(core, token, kind);
    const owner = await core.stores.users.findById(credential.userId);
    if (!owner || owner.disabledAt !== null) return INACTIVE;
    return {
      active: true,
      ...(kind === 'pat' ? { scope: credential.scopes.join(' '), role: credential.role } : {}),
      sub: owner.id,
      username: owner.email,
      token_type: kind === 'pat' ? 'Bearer' : 'ApiKey',
      iat: Math.floor(credential.createdAt / 1000),
      iss,
      aud,
      jti: credential.id,
    };
  }
  const verified = await core.tokens.verifyAccess(token);
  if (!verified.ok) return INACTIVE;
  const claims = verified.claims;
  if ('clientId' in claims) {
    if (!(await clientTokenIsLive(core, claims))) return INACTIVE;
    const { clientId, scopes, exp, iat, jti } = claims;
    return {
      active: true,
      scope: scopes.join(' '),
      client_id: clientId,
      sub: clientId,
      token_type: 'Bearer',
      exp,
      iat,
      iss,
      aud,
      jti,
    };
  }
  if (await core.denylist.isRevoked([denyKey.accessToken(claims.jti), denyKey.session(claims.sid)])) return INACTIVE;
  const user = await core.stores.users.findById(claims.sub);
  if (!user || user.disabledAt !== null) return INACTIVE;
  return {
    active: true,
    scope: SCOPES.join(' '),
    sub: user.id,
    username: user.email,
    token_type: 'Bearer',
    exp: claims.exp,
    iat: claims.iat,
    iss,
    aud,
    jti: claims.jti,
    role: claims.role,
    sid: claims.sid,
  };
}

import type { Role } from '../../store/user-store.js';
import type { Core } from '../core.js';
import { authenticateCredential, looksLike, type Scope } from './credentials.js';
import { denyKey } from '../revocation/denylist.js';
import { AuthError } from '../errors.js';
import type { ClientAccessClaims } from '../keys/tokens.js';
import { clientTokenStands } from '../oauth/clients.js';

/** A caller holding a session access token (from login). */
export interface SessionPrincipal {
  kind: 'session';
  userId: string;
  role: Role;
  plan: string;
  sessionId: string;
  jti: string;
  /** When the session's login happened, epoch ms. */
  loggedInAt: number;
}

/** A caller holding a personal access token: the role it was created with, limited by its scopes. */
export interface TokenPrincipal {
  kind: 'pat';
  userId: string;
  role: Role;
  scopes: string[];
  credentialId: string;
}

/**
 * A caller holding an OAuth client's token (client credentials): a service account, its own
 * subject (`userId` is the client id, so it owns no user's data), limited by its scopes.
 */
export interface ClientPrincipal {
  kind: 'client';
  userId: string;
  role: 'USER';
  scopes: string[];
  clientId: string;
  jti: string;
}

/** What a bearer token establishes. */
export type Principal = SessionPrincipal | TokenPrincipal | ClientPrincipal;

/** A caller holding an ingest API key (X-API-Key, /api/ingest/* only). */
export interface IngestPrincipal {
  kind: 'ingest';
  userId: string;
  credentialId: string;
}

/**
 * Resolves a bearer token: a personal access token by its prefix, otherwise an access JWT (the
 * denylist is checked on every request, never cached). An ingest key is refused here.
 */
export async function authenticateBearer(core: Core, token: string): Promise<Principal> {
  if (looksLike(core, token, 'pat')) {
    const credential = await authenticateCredential(core, token, 'pat');
    return {
      kind: 'pat',
      userId: credential.userId,
      role: credential.role,
      scopes: credential.scopes,
      credentialId: credential.id,
    };
  }
  if (looksLike(core, token, 'ingest')) throw new AuthError('API_KEY_NOT_ALLOWED');
  const verified = await core.tokens.verifyAccess(token);
  if (!verified.ok) throw new AuthError(verified.code, verified.message ? { message: verified.message } : {});
  const claims = verified.claims;
  if ('clientId' in claims) {
    if (!(await clientTokenIsLive(core, claims))) throw new AuthError('TOKEN_REVOKED');
    const { clientId, scopes, jti } = claims;
    return { kind: 'client', userId: clientId, role: 'USER', scopes, clientId, jti };
  }
  const { sub, sid, jti, role, plan, authTime } = claims;
  if (await core.denylist.isRevoked([denyKey.accessToken(jti), denyKey.session(sid)]))
    throw new AuthError('TOKEN_REVOKED');
  return { kind: 'session', userId: sub, role, plan, sessionId: sid, jti, loggedInAt: authTime * 1000 };
}

/**
 * Whether a verified client token is neither revoked itself nor older than its client's last
 * rotation or deletion (the database decides only while the client is on the denylist).
 */
export async function clientTokenIsLive(core: Core, claims: ClientAccessClaims): Promise<boolean> {
  const token = denyKey.accessToken(claims.jti);
  // One round trip on the common path; which key matched is asked only when one did.
  if (!(await core.denylist.isRevoked([token, denyKey.client(claims.clientId)]))) return true;
  if (await core.denylist.isRevoked([token])) return false;
  return clientTokenStands(core, claims.clientId, claims.iat);
}

export async function authenticateIngestKey(core: Core, key: string): Promise<IngestPrincipal> {
  const credential = await authenticateCredential(core, key, 'ingest');
  return { kind: 'ingest', userId: credential.userId, credentialId: credential.id };
}

/**
 * Actions that outlast the session (minting a personal access token or an API key, enrolling a
 * second factor, replacing recovery codes) need a session token whose login is at most
 * RECENT_LOGIN_MAX_AGE_SECONDS old (OWASP ASVS 3.7.1): a stolen access or refresh token of an
 * older session cannot make itself permanent.
 */
export function requireRecentLogin(core: Core, principal: Principal): void {
  if (principal.kind !== 'session') throw new AuthError('SESSION_TOKEN_REQUIRED');
  const maxAgeSeconds = core.config.recentLoginMaxAgeSeconds;
  if (core.clock() - principal.loggedInAt > maxAgeSeconds * 1000) {
    throw new AuthError('RECENT_LOGIN_REQUIRED', { details: { maxAgeSeconds } });
  }
}

/** Session tokens carry every scope; a personal access token or client token only those it was given. */
export function requireScope(principal: Principal, scope: Scope): void {
  if (principal.kind !== 'session' && !principal.scopes.includes(scope)) {
    throw new AuthError('INSUFFICIENT_SCOPE', {
      message: `This token lacks the ${scope} scope`,
      details: { requiredScope: scope },
    });
  }
}

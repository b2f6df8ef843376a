import { notify } from '../email/outgoing.js';
import type { Credential, CredentialKind } from '../../store/credential-store.js';
import type { Core } from '../core.js';
import { generateSecret, displayPrefix, isWellFormedSecret } from './credential-format.js';
import { CREDENTIAL_CACHE_TTL_MS } from './credential-cache.js';
import { denyKey } from '../revocation/denylist.js';
import { AuthError } from '../errors.js';
import { callerUser } from '../users/users.js';
import { safeEqual, sha256Hex } from '../digests.js';
import { randomId } from '../ids.js';

export const SCOPES = ['agents:read', 'agents:write', 'voicelogs:read'] as const;
export type Scope = (typeof SCOPES)[number];

export function credentialPrefix(core: Core, kind: CredentialKind): string {
  const brand = core.config.credentialBrand;
  if (kind === 'pat') return `${brand}_pat_`;
  return `${brand}_${core.config.env === 'production' ? 'live' : 'test'}_`;
}

/** Whether a bearer/key string looks like one of our credentials of `kind` (by prefix only). */
export function looksLike(core: Core, secret: string, kind: CredentialKind): boolean {
  return secret.startsWith(credentialPrefix(core, kind));
}

/** A new credential and its secret, not stored yet: only the hash will be. */
export async function newCredential(
  core: Core,
  input: { userId: string; kind: CredentialKind; name: string; scopes: readonly string[] },
): Promise<{ credential: Credential; secret: string }> {
  const user = await callerUser(core, input.userId);
  const prefix = credentialPrefix(core, input.kind);
  const secret = generateSecret(prefix);
  const credential: Credential = {
    id: randomId(input.kind === 'pat' ? 'pat' : 'key'),
    kind: input.kind,
    userId: user.id,
    name: input.name,
    secretHash: sha256Hex(secret),
    prefix: displayPrefix(secret, prefix),
    scopes: [...input.scopes],
    // The role is a snapshot: a later role change does not widen or narrow this credential. The
    // store replaces it by the owner's role at insert time (see CredentialStore.insert).
    role: user.role,
    createdAt: core.clock(),
    lastUsedAt: null,
    revokedAt: null,
  };
  return { credential, secret };
}

/** The user's personal access tokens that are not revoked. */
export function listPersonalAccessTokens(core: Core, userId: string): Promise<Credential[]> {
  return core.stores.credentials.listActive(userId, 'pat');
}

/** Creates a credential; the secret is returned this once and only its hash is stored. */
export async function createCredential(
  core: Core,
  input: { userId: string; kind: CredentialKind; name: string; scopes: readonly string[] },
): Promise<{ credential: Credential; secret: string }> {
  const { credential, secret } = await newCredential(core, input);
  const stored = await core.stores.credentials.insert(credential);
  // The owner was deleted since it was read: refused as callerUser refuses a gone account.
  if (!stored) throw new AuthError('TOKEN_REVOKED');
  await noticeNewCredential(core, stored);
  return { credential: stored, secret };
}

/** The security notice for a new personal access token or ingest key (by name, never the secret). */
export async function noticeNewCredential(core: Core, credential: Credential): Promise<void> {
  if (!core.config.email || !core.config.securityNotices.includes('credentials')) return;
  const owner = await core.stores.users.findById(credential.userId);
  if (!owner) return;
  notify(core, owner, 'credentials', 'credential-created', {
    credential_kind: credential.kind === 'pat' ? 'personal access token' : 'ingest API key',
    credential_name: credential.name,
  });
}

/** Puts revoked credentials on the denylist for as long as any instance may hold a cached lookup. */
export function forgetCredentials(core: Core, ids: string[], now: number): Promise<void> {
  return core.denylist.revoke(ids.map(denyKey.credential), now + 2 * CREDENTIAL_CACHE_TTL_MS);
}

/**
 * Revokes a credential: in the database, and on the denylist for as long as any instance may hold
 * a cached lookup of it, so it is refused everywhere from the next request on (another process
 * on one embedded DATA_DIR: from the next millisecond).
 */
export async function revokeCredential(core: Core, userId: string, id: string, kind: CredentialKind): Promise<void> {
  const now = core.clock();
  const revoked = await core.stores.credentials.revoke(userId, id, kind, now);
  if (!revoked) throw new AuthError('NOT_FOUND', { message: kind === 'pat' ? 'No such token' : 'No such API key' });
  await forgetCredentials(core, [id], now);
}

/**
 * Resolves a presented secret to its credential. The checksum is checked before any database
 * lookup, so a malformed or altered secret costs none. A lookup (by hash, compared in constant
 * time) is cached; the denylist, checked on every request like an access token's, says when the
 * cache is stale, and then the database decides.
 */
export async function authenticateCredential(core: Core, secret: string, kind: CredentialKind): Promise<Credential> {
  // Built only when needed: constructing an Error captures a stack, a measurable cost per request.
  const invalid = () => new AuthError(kind === 'pat' ? 'INVALID_PAT' : 'INVALID_API_KEY');
  const secretHash = sha256Hex(secret);
  const now = core.clock();
  let credential = core.credentialCache.get(secretHash, now);
  // A cached hash is of a secret that passed the checksum before; only a miss needs it.
  if (!credential && !isWellFormedSecret(secret, credentialPrefix(core, kind))) throw invalid();
  if (
    credential &&
    (await core.denylist.isRevoked([denyKey.credential(credential.id), denyKey.user(credential.userId)]))
  ) {
    core.credentialCache.forget(secretHash);
    credential = undefined;
  }
  if (!credential) {
    credential = (await core.stores.credentials.findActiveByHash(secretHash)) ?? undefined;
    if (!credential || !safeEqual(credential.secretHash, secretHash)) throw invalid();
    // Not cached while a denylist entry stands, so each request asks the database until it lapses.
    if (!(await core.denylist.isRevoked([denyKey.credential(credential.id), denyKey.user(credential.userId)]))) {
      core.credentialCache.set(secretHash, credential, now);
    }
  }
  if (credential.kind !== kind) throw invalid();
  if (core.credentialCache.touchDue(credential.id, now)) await core.stores.credentials.touch(credential.id, now);
  return credential;
}

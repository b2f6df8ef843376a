import type { Credential, CredentialKind } from '../store/credential-store.js';
import type { Core } from './core.js';
import { generateSecret, displayPrefix, isWellFormedSecret } from './credential-format.js';
import { AuthError } from './errors.js';
import { randomId, safeEqual, sha256Hex } from './random.js';

export const SCOPES = ['agents:read', 'agents:write', 'voicelogs:read'] as const;
export type Scope = (typeof SCOPES)[number];

// last_used_at is written at most this often per credential and instance.
const TOUCH_INTERVAL_MS = 60_000;

export function credentialPrefix(core: Core, kind: CredentialKind): string {
  const brand = core.config.credentialBrand;
  if (kind === 'pat') return `${brand}_pat_`;
  return `${brand}_${core.config.env === 'production' ? 'live' : 'test'}_`;
}

/** Whether a bearer/key string looks like one of our credentials of `kind` (by prefix only). */
export function looksLike(core: Core, secret: string, kind: CredentialKind): boolean {
  return secret.startsWith(credentialPrefix(core, kind));
}

/** Creates a credential; the secret is returned this once and only its hash is stored. */
export async function createCredential(
  core: Core,
  input: { userId: string; kind: CredentialKind; name: string; scopes: readonly string[] },
): Promise<{ credential: Credential; secret: string }> {
  const user = await core.stores.users.findById(input.userId);
  if (!user) throw new AuthError('TOKEN_REVOKED');
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
    // The role is a snapshot: a later role change does not widen or narrow this credential.
    role: user.role,
    createdAt: core.clock(),
    lastUsedAt: null,
    revokedAt: null,
  };
  await core.stores.credentials.insert(credential);
  return { credential, secret };
}

/**
 * Revokes a credential. Every request looks its credential up in the database (by hash, on an
 * index), so the revocation holds on every instance from the next request on.
 */
export async function revokeCredential(core: Core, userId: string, id: string, kind: CredentialKind): Promise<void> {
  const revoked = await core.stores.credentials.revoke(userId, id, kind, core.clock());
  if (!revoked) throw new AuthError('NOT_FOUND', { message: kind === 'pat' ? 'No such token' : 'No such API key' });
}

/**
 * Resolves a presented secret to its credential. The checksum is checked first, so a malformed or
 * altered secret costs no lookup; the lookup is by hash, and the hash compared in constant time.
 */
export async function authenticateCredential(core: Core, secret: string, kind: CredentialKind): Promise<Credential> {
  const invalid = new AuthError(kind === 'pat' ? 'INVALID_PAT' : 'INVALID_API_KEY');
  if (!isWellFormedSecret(secret, credentialPrefix(core, kind))) throw invalid;
  const secretHash = sha256Hex(secret);
  const credential = await core.stores.credentials.findActiveByHash(secretHash);
  if (!credential || credential.kind !== kind || !safeEqual(credential.secretHash, secretHash)) throw invalid;
  await touch(core, credential.id);
  return credential;
}

const lastTouched = new Map<string, number>();

async function touch(core: Core, id: string): Promise<void> {
  const now = core.clock();
  if (now - (lastTouched.get(id) ?? Number.NEGATIVE_INFINITY) < TOUCH_INTERVAL_MS) return;
  // Bounded: forgetting entries only means one extra write for a credential.
  if (lastTouched.size >= 10_000) lastTouched.clear();
  lastTouched.set(id, now);
  await core.stores.credentials.touch(id, now);
}

import { randomBytes } from 'node:crypto';
import type { OAuthClient } from '../../store/client-store.js';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { displayPrefix, generateSecret, isWellFormedSecret } from '../credentials/credential-format.js';
import type { Scope } from '../credentials/credentials.js';
import { safeEqual, sha256Hex } from '../digests.js';
import { AuthError } from '../errors.js';
import { denyKey } from '../revocation/denylist.js';

/** Longest client name, in characters. */
export const CLIENT_NAME_MAX_LENGTH = 100;

// A client's tokens may have been signed a moment before its revocation by a request that read the
// old secret; the revocation outlives the longest of them by this much.
const REVOCATION_MARGIN_MS = 60_000;
// Compared against when the client id is unknown, so that path costs what a wrong secret costs.
const UNKNOWN_CLIENT_HASH = '0'.repeat(64);

/** What a client may do: the scopes it may be granted, and the two resource-server permissions. */
export interface ClientPermissions {
  scopes: readonly Scope[];
  canIntrospect: boolean;
  canReadRevocations: boolean;
}

/** Who registers or changes clients: an ADMIN over HTTP, or the operator (CLI, no user). */
export interface ClientActor {
  userId: string | null;
  ctx: RequestContext;
}

export function clientIdPrefix(core: Core): string {
  return `${core.config.credentialBrand}_client_`;
}

export function clientSecretPrefix(core: Core): string {
  return `${core.config.credentialBrand}_cs_`;
}

function newSecret(core: Core): { secret: string; hash: string; prefix: string } {
  const prefix = clientSecretPrefix(core);
  const secret = generateSecret(prefix);
  return { secret, hash: sha256Hex(secret), prefix: displayPrefix(secret, prefix) };
}

function notFound(): AuthError {
  return new AuthError('NOT_FOUND', { message: 'No such OAuth client' });
}

/** Registers a client; its secret is returned this once and only its hash is stored. */
export async function registerClient(
  core: Core,
  input: { name: string } & ClientPermissions,
  actor: ClientActor,
): Promise<{ client: OAuthClient; secret: string }> {
  const now = core.clock();
  const { secret, hash, prefix } = newSecret(core);
  const client: OAuthClient = {
    id: clientIdPrefix(core) + randomBytes(12).toString('hex'),
    name: input.name,
    secretHash: hash,
    secretPrefix: prefix,
    scopes: [...new Set(input.scopes)],
    canIntrospect: input.canIntrospect,
    canReadRevocations: input.canReadRevocations,
    createdBy: actor.userId,
    createdAt: now,
    secretRotatedAt: now,
    lastUsedAt: null,
  };
  await core.stores.clients.insert(client);
  await core.audit.record('oauth_client_registered', actor.ctx, actor.userId, {
    clientId: client.id,
    name: client.name,
    scopes: client.scopes,
    canIntrospect: client.canIntrospect,
    canReadRevocations: client.canReadRevocations,
  });
  return { client, secret };
}

export function listClients(core: Core): Promise<OAuthClient[]> {
  return core.stores.clients.list();
}

/**
 * Refuses every token the client was issued before `now`, on every instance and in the revocation
 * feed, which publishes `now` so that verifiers draw the line where clientTokenStands does.
 */
function revokeIssuedTokens(core: Core, clientId: string, now: number): Promise<void> {
  const lastTokenExpiry = now + core.config.accessTokenTtlSeconds * 1000 + REVOCATION_MARGIN_MS;
  return core.denylist.revoke([denyKey.client(clientId)], lastTokenExpiry, now);
}

/**
 * Gives the client a new secret: the old one stops authenticating at once, and every token issued
 * under it is revoked (a rotation answers a leak).
 */
export async function rotateClientSecret(
  core: Core,
  clientId: string,
  actor: ClientActor,
): Promise<{ client: OAuthClient; secret: string }> {
  const now = core.clock();
  const { secret, hash, prefix } = newSecret(core);
  const client = await core.stores.clients.replaceSecret(clientId, { hash, prefix }, now);
  if (!client) throw notFound();
  await revokeIssuedTokens(core, clientId, now);
  await core.audit.record('oauth_client_secret_rotated', actor.ctx, actor.userId, { clientId });
  return { client, secret };
}

/** Deletes the client and revokes every token it was issued. */
export async function deleteClient(core: Core, clientId: string, actor: ClientActor): Promise<OAuthClient> {
  const now = core.clock();
  const client = await core.stores.clients.delete(clientId);
  if (!client) throw notFound();
  await revokeIssuedTokens(core, clientId, now);
  await core.audit.record('oauth_client_deleted', actor.ctx, actor.userId, { clientId, name: client.name });
  return client;
}

/**
 * The client whose id and secret these are, or null. The secret is compared as a hash in
 * constant time; an unknown id costs the same hash, and a malformed secret no lookup.
 */
export async function authenticateClient(core: Core, clientId: string, secret: string): Promise<OAuthClient | null> {
  const presentedHash = sha256Hex(secret);
  if (!clientId.startsWith(clientIdPrefix(core)) || !isWellFormedSecret(secret, clientSecretPrefix(core))) return null;
  const client = await core.stores.clients.findById(clientId);
  const matches = safeEqual(client?.secretHash ?? UNKNOWN_CLIENT_HASH, presentedHash);
  return matches && client ? client : null;
}

/**
 * Whether a client token issued at `issuedAt` (epoch seconds) still stands: its client exists
 * and has not rotated its secret since. Only asked while the client is on the denylist: otherwise
 * no rotation or deletion is recent enough to concern a token that has not expired.
 */
export async function clientTokenStands(core: Core, clientId: string, issuedAt: number): Promise<boolean> {
  const client = await core.stores.clients.findById(clientId);
  return client !== null && issuedAt * 1000 >= client.secretRotatedAt;
}

/** The earliest `iat` (epoch seconds) a new token of the client may carry: after its last rotation. */
export function clientTokenNotBefore(client: OAuthClient): number {
  return Math.ceil(client.secretRotatedAt / 1000);
}

import type { Credential } from '../store/credential-store.js';
import type { Core } from './core.js';
import { createCredential, revokeCredential } from './credentials.js';
import { AuthError } from './errors.js';

/** The user's live ingest key (one at a time), or null. */
export async function currentIngestKey(core: Core, userId: string): Promise<Credential | null> {
  return (await core.stores.credentials.listActive(userId, 'ingest'))[0] ?? null;
}

/**
 * Generates the user's ingest key. While one exists the caller must confirm with `replace`; the
 * new key is created before the old one is revoked, so an integration never sees neither.
 */
export async function generateIngestKey(core: Core, userId: string, replace: boolean): Promise<{ credential: Credential; secret: string }> {
  const existing = await core.stores.credentials.listActive(userId, 'ingest');
  if (existing.length > 0 && !replace) throw new AuthError('API_KEY_EXISTS');
  const created = await createCredential(core, { userId, kind: 'ingest', name: 'ingest', scopes: [] });
  for (const old of existing) await revokeCredential(core, userId, old.id, 'ingest');
  return created;
}

export async function revokeIngestKey(core: Core, userId: string): Promise<void> {
  const existing = await core.stores.credentials.listActive(userId, 'ingest');
  if (existing.length === 0) throw new AuthError('API_KEY_NOT_FOUND');
  for (const key of existing) await revokeCredential(core, userId, key.id, 'ingest');
}

import type { Credential } from '../../store/credential-store.js';
import type { Core } from '../core.js';
import { forgetCredentials, newCredential, noticeNewCredential, revokeCredential } from './credentials.js';
import { AuthError } from '../errors.js';

/** The user's live ingest key (one at a time), or null. */
export async function currentIngestKey(core: Core, userId: string): Promise<Credential | null> {
  return (await core.stores.credentials.listActive(userId, 'ingest'))[0] ?? null;
}

/**
 * Generates the user's ingest key. While one exists the caller must confirm with `replace`; the old
 * key is revoked in the same transaction that stores the new one, so racing requests cannot leave
 * two live keys (the loser gets API_KEY_EXISTS).
 */
export async function generateIngestKey(
  core: Core,
  userId: string,
  replace: boolean,
): Promise<{ credential: Credential; secret: string }> {
  const created = await newCredential(core, { userId, kind: 'ingest', name: 'ingest', scopes: [] });
  const now = core.clock();
  const revoked = await core.stores.credentials.insertIngestKey(created.credential, replace, now);
  if (revoked === null) throw new AuthError('API_KEY_EXISTS');
  await forgetCredentials(
    core,
    revoked.map((key) => key.id),
    now,
  );
  await noticeNewCredential(core, created.credential);
  return created;
}

export async function revokeIngestKey(core: Core, userId: string): Promise<void> {
  const key = await currentIngestKey(core, userId);
  if (!key) throw new AuthError('API_KEY_NOT_FOUND');
  await revokeCredential(core, userId, key.id, 'ingest');
}

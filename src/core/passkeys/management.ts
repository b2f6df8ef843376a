import type { Passkey } from '../../store/passkey-store.js';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { callerUser } from '../users/users.js';
import { hasPassword } from './sign-in-methods.js';

export function listPasskeys(core: Core, userId: string): Promise<Passkey[]> {
  return core.stores.passkeys.listByUser(userId);
}

export async function renamePasskey(
  core: Core,
  userId: string,
  passkeyId: string,
  name: string,
  ctx: RequestContext,
): Promise<Passkey> {
  const renamed = await core.stores.passkeys.rename(userId, passkeyId, name);
  if (!renamed) throw new AuthError('NOT_FOUND');
  await core.audit.record('passkey_renamed', ctx, userId, { passkeyId });
  return renamed;
}

/**
 * Deletes one of the user's passkeys; LAST_SIGN_IN_METHOD when the account has no password and
 * this is its last passkey (it could never sign in again).
 */
export async function deletePasskey(core: Core, userId: string, passkeyId: string, ctx: RequestContext): Promise<void> {
  const user = await callerUser(core, userId);
  const outcome = await core.stores.passkeys.delete(user.id, passkeyId, (others) => hasPassword(user) || others > 0);
  if (outcome === 'not-found') throw new AuthError('NOT_FOUND');
  if (outcome === 'last') throw new AuthError('LAST_SIGN_IN_METHOD');
  await core.audit.record('passkey_deleted', ctx, user.id, { passkeyId });
}

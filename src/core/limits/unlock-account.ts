import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { normalizeEmail } from '../users/user.js';

/**
 * An operator's unlock (`latchkey user unlock`): ends password and 2FA lockouts and blocks and
 * forgets the consecutive-failure counts, account-wide and for every device of the account.
 * An unknown e-mail is NOT_FOUND: "unlocked" would tell of an account that is not there.
 */
export async function unlockAccount(core: Core, email: string): Promise<void> {
  const user = await core.stores.users.findByEmail(normalizeEmail(email));
  if (!user) throw new AuthError('NOT_FOUND', { message: `no user with email ${email}` });
  await core.limits.unlock(user);
}

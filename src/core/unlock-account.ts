import type { Core } from './core.js';

/**
 * An operator's unlock (`latchkey user unlock`): ends password and 2FA lockouts and blocks and
 * forgets the consecutive-failure counts, account-wide and for every device of the account.
 * An unknown e-mail's count is forgotten too (unknown e-mails are counted like known ones).
 */
export async function unlockAccount(core: Core, email: string): Promise<void> {
  const user = await core.stores.users.findByEmail(email);
  await core.limits.unlock(email, user?.id ?? null);
}

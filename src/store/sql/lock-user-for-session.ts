import type { Kysely } from 'kysely';
import { updatedOne } from './updated-one.js';
import type { Tables } from './tables.js';

/**
 * Inside a transaction: locks the user's row and checks that the user may still sign in as just
 * checked: the password hash is still `passwordHash`, and the account is not disabled. A password
 * change or a disable writes the same row, so a session or pending login created under this check
 * either commits before that change (which then ends it) or sees it and is not created. SQLite
 * serializes writers outright; on PostgreSQL the no-op UPDATE takes the row lock and re-reads the
 * row once the lock is free.
 */
export async function lockUserForSession(tx: Kysely<Tables>, userId: string, passwordHash: string): Promise<boolean> {
  const result = await tx
    .updateTable('users')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', userId)
    .where('password_hash', '=', passwordHash)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return updatedOne(result);
}

import type { Kysely } from 'kysely';
import type { Tables } from './tables.js';

/**
 * Inside a transaction: locks the user's row and checks that its password hash is still
 * `passwordHash`, the one a login just verified. A password change locks the same row, so a
 * session or pending login created under this check either commits before the change (which then
 * ends it) or sees the new hash and is not created. SQLite serializes writers outright; on
 * PostgreSQL the no-op UPDATE takes the row lock and re-reads the row once the lock is free.
 */
export async function lockUserWithPassword(tx: Kysely<Tables>, userId: string, passwordHash: string): Promise<boolean> {
  const result = await tx
    .updateTable('users')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', userId)
    .where('password_hash', '=', passwordHash)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

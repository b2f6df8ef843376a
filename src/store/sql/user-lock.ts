import type { Kysely } from 'kysely';
import type { Tables } from './tables.js';

/**
 * Runs `work` in a transaction that holds the user's row, so a per-user total read inside it
 * (agents owned, bytes stored) cannot change before `work` writes: two racing requests cannot
 * both take the last unit of a quota. SQLite serializes writers outright; on PostgreSQL the no-op
 * UPDATE takes the row lock, and a second transaction waits for the first to commit.
 */
export function withUserLocked<T>(
  db: Kysely<Tables>,
  userId: string,
  work: (tx: Kysely<Tables>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await tx
      .updateTable('users')
      .set((eb) => ({ updated_at: eb.ref('updated_at') }))
      .where('id', '=', userId)
      .execute();
    return work(tx);
  });
}

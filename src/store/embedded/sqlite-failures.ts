import type { Kysely } from 'kysely';
import type { FailureStore } from '../failure-store.js';
import type { Tables } from '../sql/tables.js';
import { updatedOne } from '../sql/updated-one.js';

/**
 * Failure records in the embedded database, shared with every process on the DATA_DIR. Each
 * write is one conditional statement, so the compare and the write cannot interleave with another
 * process's; an expired row counts as absent.
 */
export function createSqliteFailureStore(db: Kysely<Tables>, now: () => number): FailureStore {
  return {
    async read(group, member) {
      const row = await db
        .selectFrom('failure_records')
        .select('value')
        .where('grp', '=', group)
        .where('member', '=', member)
        .where('expires_at', '>', now())
        .executeTakeFirst();
      return row?.value ?? null;
    },

    async compareAndSet(group, member, expected, next, ttlMs) {
      const at = now();
      const expiresAt = at + ttlMs;
      if (expected !== null) {
        const result = await db
          .updateTable('failure_records')
          .set({ value: next, expires_at: expiresAt })
          .where('grp', '=', group)
          .where('member', '=', member)
          .where('value', '=', expected)
          .where('expires_at', '>', at)
          .executeTakeFirst();
        return updatedOne(result);
      }
      // A new record: a good moment to drop the expired ones (unknown e-mails leave these behind).
      await db.deleteFrom('failure_records').where('expires_at', '<=', at).execute();
      const result = await db
        .insertInto('failure_records')
        .values({ grp: group, member, value: next, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['grp', 'member']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    async forget(group, member) {
      let query = db.deleteFrom('failure_records').where('grp', '=', group);
      if (member !== undefined) query = query.where('member', '=', member);
      await query.execute();
    },
  };
}

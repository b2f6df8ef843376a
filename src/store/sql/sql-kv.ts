import type { Kysely } from 'kysely';
import { KvUnavailableError, type Kv } from '../kv.js';
import { pingDatabase } from './database.js';
import type { Tables } from './tables.js';

const PURGE_INTERVAL_MS = 60_000;

/**
 * The kv store over the database itself, for the embedded default: entries survive a restart and
 * are shared with CLI processes through the same file.
 */
export function createSqlKv(db: Kysely<Tables>, now: () => number): Kv {
  let lastPurgeAt = 0;

  async function guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new KvUnavailableError('kv database unavailable', { cause: error });
    }
  }

  return {
    countExisting: (keys) =>
      guard(async () => {
        if (keys.length === 0) return 0;
        const row = await db
          .selectFrom('kv_entries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('key', 'in', keys)
          .where('expires_at', '>', now())
          .executeTakeFirstOrThrow();
        return Number(row.n);
      }),

    setMany: (entries) =>
      guard(async () => {
        if (entries.length === 0) return;
        const at = now();
        await db
          .insertInto('kv_entries')
          .values(entries.map((e) => ({ key: e.key, value: e.value, expires_at: at + e.ttlMs })))
          .onConflict((oc) =>
            oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), expires_at: eb.ref('excluded.expires_at') })),
          )
          .execute();
        // Expired rows are invisible to reads; deleting them now and then keeps the table small.
        if (at - lastPurgeAt > PURGE_INTERVAL_MS) {
          lastPurgeAt = at;
          await db.deleteFrom('kv_entries').where('expires_at', '<=', at).execute();
        }
      }),

    get: (key) =>
      guard(async () => {
        const row = await db
          .selectFrom('kv_entries')
          .select('value')
          .where('key', '=', key)
          .where('expires_at', '>', now())
          .executeTakeFirst();
        return row?.value ?? null;
      }),

    delete: (key) =>
      guard(async () => {
        await db.deleteFrom('kv_entries').where('key', '=', key).execute();
      }),

    ping: () => guard(() => pingDatabase(db)),
    // The entries live in the durable database: there is no reconnect that could lose them.
    onReady: () => {},
    close: async () => {},
  };
}

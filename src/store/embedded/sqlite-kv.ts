import type { Kysely } from 'kysely';
import { KvUnavailableError, type Kv } from '../kv.js';
import type { EmbeddedFile } from '../sql/database.js';
import type { Tables } from '../sql/tables.js';

const PURGE_INTERVAL_MS = 60_000;
// SQLite binds at most 32,766 parameters per statement, three per row here: a denylist resync can
// carry more rows than that, so they are written in batches.
const ROWS_PER_INSERT = 1_000;

/**
 * The kv store of the embedded default, in the SQLite file itself: entries survive a restart and
 * are shared with every process on the DATA_DIR (the CLI, a second server).
 *
 * Reads are answered from an in-memory mirror, because the denylist is read on every request and
 * a query per request would cost more than all the rest of it. This process
 * updates the mirror on its own writes, and reloads it when the file's data version says another
 * process committed (seen within OTHER_PROCESS_LAG_MS).
 */
export function createSqliteKv(db: Kysely<Tables>, file: EmbeddedFile, now: () => number): Kv {
  const selectLive = file.handle.prepare<[number], { key: string; expires_at: number }>(
    'select key, expires_at from kv_entries where expires_at > ?',
  );
  const ping = file.handle.prepare('pragma data_version');

  let mirror = new Map<string, number>();
  let seenVersion: number | undefined;
  let lastPurgeAt = 0;

  async function guard<T>(operation: () => T | Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new KvUnavailableError('embedded kv store failed', { cause: error });
    }
  }

  function refreshMirror(): void {
    const version = file.dataVersion();
    if (version === seenVersion) return;
    seenVersion = version;
    mirror = new Map(selectLive.all(now()).map((row) => [row.key, Number(row.expires_at)]));
  }

  return {
    countExisting: (keys) =>
      guard(() => {
        refreshMirror();
        const at = now();
        return keys.filter((key) => (mirror.get(key) ?? 0) > at).length;
      }),

    // Writes go through Kysely, whose connection lock queues them behind any transaction another
    // request has open on this shared connection; a raw write would silently join it (and roll
    // back with it).
    setMany: (entries) =>
      guard(async () => {
        if (entries.length === 0) return;
        const at = now();
        const rows = entries.map((e) => ({ key: e.key, value: e.value, expires_at: at + e.ttlMs }));
        for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
          await db
            .insertInto('kv_entries')
            .values(rows.slice(start, start + ROWS_PER_INSERT))
            .onConflict((oc) =>
              oc
                .column('key')
                .doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), expires_at: eb.ref('excluded.expires_at') })),
            )
            .execute();
        }
        refreshMirror();
        for (const row of rows) mirror.set(row.key, row.expires_at);
        if (at - lastPurgeAt > PURGE_INTERVAL_MS) {
          lastPurgeAt = at;
          await db.deleteFrom('kv_entries').where('expires_at', '<=', at).execute();
          for (const [key, expiresAt] of mirror) if (expiresAt <= at) mirror.delete(key);
        }
      }),

    ping: () => guard(() => void ping.get()),
    // Entries leave only when they expire.
    settingsWarnings: async () => [],
    // The entries live in the durable database: there is no reconnect that could lose them.
    onReady: () => {},
    close: async () => {},
  };
}

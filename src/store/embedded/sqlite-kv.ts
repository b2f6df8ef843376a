import type BetterSqlite3 from 'better-sqlite3';
import { KvUnavailableError, type Kv } from '../kv.js';

const PURGE_INTERVAL_MS = 60_000;

/**
 * The kv store of the embedded default, in the SQLite file itself: entries survive a restart and
 * are shared with every process on the DATA_DIR (the CLI, a second server).
 *
 * Reads are answered from an in-memory mirror, because the denylist is read on every request and
 * a query per request cost more than all the rest of it (see README, Benchmarks). The mirror stays
 * exact: this process updates it on its own writes, and `PRAGMA data_version`, which changes when
 * another connection commits, is checked on every read and triggers a reload.
 */
export function createSqliteKv(handle: BetterSqlite3.Database, now: () => number): Kv {
  const upsert = handle.prepare(
    'insert into kv_entries (key, value, expires_at) values (?, ?, ?) on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at',
  );
  const selectLive = handle.prepare<[number], { key: string; expires_at: number }>('select key, expires_at from kv_entries where expires_at > ?');
  const purgeExpired = handle.prepare('delete from kv_entries where expires_at <= ?');
  const dataVersion = handle.prepare<[], number>('pragma data_version').pluck();
  const writeAll = handle.transaction((entries: { key: string; value: string; expiresAt: number }[]) => {
    for (const e of entries) upsert.run(e.key, e.value, e.expiresAt);
  });

  let mirror = new Map<string, number>();
  let seenVersion: number | undefined;
  let lastPurgeAt = 0;

  function guard<T>(operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      throw new KvUnavailableError('embedded kv store failed', { cause: error });
    }
  }

  function refreshMirror(): void {
    const version = dataVersion.get()!;
    if (version === seenVersion) return;
    seenVersion = version;
    mirror = new Map(selectLive.all(now()).map((row) => [row.key, Number(row.expires_at)]));
  }

  return {
    countExisting: async (keys) =>
      guard(() => {
        refreshMirror();
        const at = now();
        return keys.filter((key) => (mirror.get(key) ?? 0) > at).length;
      }),

    setMany: async (entries) =>
      guard(() => {
        const at = now();
        const rows = entries.map((e) => ({ key: e.key, value: e.value, expiresAt: at + e.ttlMs }));
        writeAll(rows);
        refreshMirror();
        for (const row of rows) mirror.set(row.key, row.expiresAt);
        if (at - lastPurgeAt > PURGE_INTERVAL_MS) {
          lastPurgeAt = at;
          purgeExpired.run(at);
          for (const [key, expiresAt] of mirror) if (expiresAt <= at) mirror.delete(key);
        }
      }),

    ping: async () => guard(() => void dataVersion.get()),
    // The entries live in the durable database: there is no reconnect that could lose them.
    onReady: () => {},
    close: async () => {},
  };
}

import type BetterSqlite3 from 'better-sqlite3';

/**
 * How far behind another process's commit this process's memory may be, in milliseconds: the
 * denylist mirror and the read cache ask SQLite whether the file changed at most this often.
 */
export const OTHER_PROCESS_LAG_MS = 1;

/**
 * SQLite's `PRAGMA data_version`, which moves whenever another connection (the CLI, a second
 * server) commits, read at most once per OTHER_PROCESS_LAG_MS. Asking is a read transaction:
 * three system calls, which can cost more than the rest of an authenticated request. This
 * connection's own commits do not move it: whoever caches a read must
 * also drop it when writing.
 *
 * It is asked again whenever `now` reports another millisecond; a clock set back counts too.
 */
export function watchDataVersion(handle: BetterSqlite3.Database, now: () => number = Date.now): () => number {
  const read = handle.prepare<[], number>('pragma data_version').pluck();
  let version = read.get()!;
  let readAt = now();
  return () => {
    const at = now();
    if (at !== readAt) {
      version = read.get()!;
      readAt = at;
    }
    return version;
  };
}

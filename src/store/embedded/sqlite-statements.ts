import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

// Query texts come from code, not input (values are bound), so there are few; the bound guards
// against a query built with a varying number of parameters.
const STATEMENTS_MAX = 500;

/**
 * `prepare`, remembered by SQL text: preparing a statement costs about as much as running it.
 * When `max` texts are held, all are let go, which bounds a caller that builds texts with varying
 * values in them.
 */
export function preparingOnce<S>(prepare: (sqlText: string) => S, max: number): (sqlText: string) => S {
  const statements = new Map<string, S>();
  return (sqlText) => {
    let statement = statements.get(sqlText);
    if (statement === undefined) {
      if (statements.size >= max) statements.clear();
      statement = prepare(sqlText);
      statements.set(sqlText, statement);
    }
    return statement;
  };
}

/**
 * The database Kysely runs on in the embedded default: better-sqlite3, each SQL text prepared once
 * (Kysely prepares every query anew). Every read goes to SQLite; the reads that are hot enough to
 * cache have explicit caches of their own (the denylist mirror, the credential cache).
 */
export function sqliteStatements(handle: BetterSqlite3.Database): SqliteDatabase {
  return {
    close: () => handle.close(),
    prepare: preparingOnce((sqlText) => handle.prepare(sqlText), STATEMENTS_MAX),
  };
}

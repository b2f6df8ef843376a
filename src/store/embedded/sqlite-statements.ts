import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

// Query texts come from code, not input (values are bound), so there are few; the bound guards
// against a query built with a varying number of parameters.
const STATEMENTS_MAX = 500;
// What the cached reads may hold, counting an empty answer as one row: a read that would pass it
// starts the cache again empty. Callers choose some of the values (a lookup of a made-up token
// finds nothing and is cached all the same), so answers and keys are both bounded.
const CACHED_ROWS_MAX = 10_000;
const CACHE_KEY_MAX_LENGTH = 1_024;
// An answer that depends on more than the tables and the bound values (the time, chance, this
// connection's state) is not the same answer on the next call.
const VOLATILE_SQL = /\b(random|randomblob|date|time|datetime|julianday|unixepoch|strftime|current_date|current_time|current_timestamp|changes|total_changes|last_insert_rowid)\b/i;

type Parameters = readonly unknown[];

// A statement's number stands for its SQL text, which is long. Only values whose JSON text names
// them exactly are cached: not a Buffer or a bigint, nor NaN or Infinity (JSON writes them as null).
function cacheKey(statementNumber: number, parameters: Parameters): string | undefined {
  for (const value of parameters) {
    if (value !== null && typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) return undefined;
  }
  const key = `${statementNumber}${JSON.stringify(parameters)}`;
  return key.length <= CACHE_KEY_MAX_LENGTH ? key : undefined;
}

/**
 * `prepare`, remembered by SQL text: preparing a statement costs about as much as running it.
 * When `max` texts are held, all are let go (after `onForget`), which bounds a caller that builds
 * texts with varying values in them.
 */
export function preparingOnce<S>(prepare: (sqlText: string) => S, max: number, onForget: () => void = () => {}): (sqlText: string) => S {
  const statements = new Map<string, S>();
  return (sqlText) => {
    let statement = statements.get(sqlText);
    if (statement === undefined) {
      if (statements.size >= max) {
        statements.clear();
        onForget();
      }
      statement = prepare(sqlText);
      statements.set(sqlText, statement);
    }
    return statement;
  };
}

/**
 * The database Kysely runs on in the embedded default: better-sqlite3, with two savings on the
 * request path.
 *
 * - Each SQL text is prepared once: Kysely prepares every query anew, and on SQLite preparing
 *   costs about as much as running.
 * - A read outside a transaction is answered from memory when the same query with the same values
 *   ran since the database last changed: since any write through this connection, or a commit by
 *   another process, which `dataVersion` reports (see watchDataVersion for how soon). Each read
 *   SQLite runs takes its file locks, three system calls. Reads in a transaction always go to
 *   SQLite, so a transaction sees its own writes and checks what it is about to change.
 *
 * A read that must see another process's commit at once runs in a transaction. A query whose
 * answer depends on more than the tables and the values (the time, chance) is never cached.
 *
 * Cached rows are frozen, since a caller changing one would change every later answer; each
 * answer is an array of its own, which the caller may sort (Kysely's migrator does).
 */
export function sqliteStatements(handle: BetterSqlite3.Database, dataVersion: () => number): SqliteDatabase {
  let statementsPrepared = 0;
  const results = new Map<string, readonly unknown[]>();
  let cachedRows = 0;
  let resultsVersion = dataVersion();

  function forgetResults(): void {
    results.clear();
    cachedRows = 0;
  }

  function cachedAll(statement: BetterSqlite3.Statement, statementNumber: number, parameters: Parameters): unknown[] {
    const key = handle.inTransaction ? undefined : cacheKey(statementNumber, parameters);
    if (key === undefined) return statement.all(parameters);
    const version = dataVersion();
    if (version !== resultsVersion) {
      forgetResults();
      resultsVersion = version;
    }
    const cached = results.get(key);
    if (cached !== undefined) return cached.slice();
    const rows = statement.all(parameters).map((row) => Object.freeze(row));
    const size = Math.max(1, rows.length);
    if (size <= CACHED_ROWS_MAX) {
      if (cachedRows + size > CACHED_ROWS_MAX) forgetResults();
      results.set(key, rows.slice());
      cachedRows += size;
    }
    return rows;
  }

  function wrap(sqlText: string, statement: BetterSqlite3.Statement): SqliteStatement {
    // BEGIN and COMMIT count as read-only too; the writes inside a transaction forget on their own.
    if (statement.readonly) {
      if (VOLATILE_SQL.test(sqlText)) return statement;
      const statementNumber = ++statementsPrepared;
      return {
        reader: statement.reader,
        all: (parameters) => cachedAll(statement, statementNumber, parameters),
        run: (parameters) => statement.run(parameters),
        iterate: (parameters) => statement.iterate(parameters),
      };
    }
    return {
      reader: statement.reader,
      all(parameters) {
        forgetResults();
        return statement.all(parameters);
      },
      run(parameters) {
        forgetResults();
        return statement.run(parameters);
      },
      iterate(parameters) {
        forgetResults();
        return statement.iterate(parameters);
      },
    };
  }

  return {
    close: () => handle.close(),
    // Answers filed under the numbers of the statements let go could never be found again.
    prepare: preparingOnce((sqlText) => wrap(sqlText, handle.prepare(sqlText)), STATEMENTS_MAX, forgetResults),
  };
}

import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { RateLimiterSQLite } from 'rate-limiter-flexible';
import { baseOptions, wrap } from '../flexible-limiter.js';
import type { LimiterFactory } from '../limiter.js';
import type { Tables } from '../sql/tables.js';
import { preparingOnce } from './sqlite-statements.js';

// rate-limiter-flexible prepares its statement on every call (three prepares a login, on the event
// loop). Its SQL names only the table, so there are a handful of texts.
const LIMITER_STATEMENTS_MAX = 32;

/**
 * Limiters in the embedded SQLite file: shared with CLI processes, kept across restarts.
 *
 * The library writes through the raw handle, which Kysely shares: a count taken while another
 * request had a Kysely transaction open across an await would join that transaction, and a
 * rollback would take the count with it. Each call therefore holds Kysely's connection lock, as the kv store's
 * writes do, so no other request's transaction is open while it runs.
 */
export function createSqliteLimiterFactory(db: Kysely<Tables>, handle: BetterSqlite3.Database): LimiterFactory {
  // The two calls the library makes on a better-sqlite3 database.
  const client = {
    prepare: preparingOnce((sql) => handle.prepare(sql), LIMITER_STATEMENTS_MAX),
    transaction: handle.transaction.bind(handle),
  };
  return (options) => {
    const limiter = wrap(
      new RateLimiterSQLite({
        ...baseOptions(options),
        storeClient: client,
        storeType: 'better-sqlite3',
        tableName: 'rate_limits',
      }),
    );
    return {
      consume: (key) => db.connection().execute(() => limiter.consume(key)),
      peek: (key) => db.connection().execute(() => limiter.peek(key)),
      reset: (key) => db.connection().execute(() => limiter.reset(key)),
    };
  };
}

import type BetterSqlite3 from 'better-sqlite3';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  RateLimiterSQLite,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { KvUnavailableError } from './kv.js';
import type { Limiter, LimiterFactory, LimiterOptions } from './limiter.js';
import type { Tables } from './sql/tables.js';

function baseOptions(options: LimiterOptions) {
  return {
    keyPrefix: `rl:${options.name}`,
    points: options.points,
    duration: options.durationSeconds,
    blockDuration: options.blockSeconds ?? 0,
  };
}

function wrap(limiter: RateLimiterAbstract): Limiter {
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
        return { allowed: true, retryAfterMs: 0 };
      } catch (result) {
        // rate-limiter-flexible rejects with a RateLimiterRes when over the limit, with an Error on a store failure.
        if (result instanceof RateLimiterRes) return { allowed: false, retryAfterMs: result.msBeforeNext };
        throw new KvUnavailableError('rate limiter store failed', { cause: result });
      }
    },
    async reset(key) {
      try {
        await limiter.delete(key);
      } catch (error) {
        throw new KvUnavailableError('rate limiter store failed', { cause: error });
      }
    },
  };
}

/**
 * Redis-backed limiters (atomic Lua increments). While Redis is unreachable each falls back to a
 * per-instance in-memory limiter, so login keeps working with per-instance limits.
 */
export function createRedisLimiterFactory(client: Redis): LimiterFactory {
  return (options) =>
    wrap(
      new RateLimiterRedis({
        ...baseOptions(options),
        storeClient: client,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(baseOptions(options)),
      }),
    );
}

/**
 * The two calls rate-limiter-flexible makes on a better-sqlite3 database, with each SQL text
 * prepared once: the library prepares its statement on every call, and preparing costs about as
 * much as running it (three prepares a login, 90 us of the event loop under load here). Its SQL
 * names only the table, so there are a handful of texts; the bound guards against a version that
 * writes values into them.
 */
const LIMITER_STATEMENTS_MAX = 32;

function preparingOnce(handle: BetterSqlite3.Database): { prepare(sql: string): BetterSqlite3.Statement; transaction: BetterSqlite3.Database['transaction'] } {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= LIMITER_STATEMENTS_MAX) statements.clear();
        statement = handle.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    transaction: (fn) => handle.transaction(fn),
  };
}

/**
 * Limiters in the embedded SQLite file: shared with CLI processes, kept across restarts.
 *
 * The library writes through the raw handle, which Kysely shares: a count taken while another
 * request had a Kysely transaction open across an await joined that transaction, and a rollback
 * took the count with it. Each call therefore holds Kysely's connection lock, as the kv store's
 * writes do, so no other request's transaction is open while it runs.
 */
export function createSqliteLimiterFactory(db: Kysely<Tables>, handle: BetterSqlite3.Database): LimiterFactory {
  const client = preparingOnce(handle);
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
      reset: (key) => db.connection().execute(() => limiter.reset(key)),
    };
  };
}

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
import { KvUnavailableError } from '../kv.js';
import { preparingOnce } from '../embedded/sqlite-statements.js';
import type { Limiter, LimiterFactory, LimiterOptions } from '../limiter.js';
import type { Tables } from '../sql/tables.js';

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

// rate-limiter-flexible prepares its statement on every call (three prepares a login, 90 us of the
// event loop under load here). Its SQL names only the table, so there are a handful of texts.
const LIMITER_STATEMENTS_MAX = 32;

/**
 * Limiters in the embedded SQLite file: shared with CLI processes, kept across restarts.
 *
 * The library writes through the raw handle, which Kysely shares: a count taken while another
 * request had a Kysely transaction open across an await joined that transaction, and a rollback
 * took the count with it. Each call therefore holds Kysely's connection lock, as the kv store's
 * writes do, so no other request's transaction is open while it runs.
 */
export function createSqliteLimiterFactory(db: Kysely<Tables>, handle: BetterSqlite3.Database): LimiterFactory {
  // The two calls the library makes on a better-sqlite3 database.
  const client = { prepare: preparingOnce((sql) => handle.prepare(sql), LIMITER_STATEMENTS_MAX), transaction: handle.transaction.bind(handle) };
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

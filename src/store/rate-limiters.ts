import type BetterSqlite3 from 'better-sqlite3';
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  RateLimiterSQLite,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { KvUnavailableError } from './kv.js';
import type { Limiter, LimiterFactory, LimiterOptions } from './limiter.js';

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

/** Limiters in the embedded SQLite file: shared with CLI processes, kept across restarts. */
export function createSqliteLimiterFactory(handle: BetterSqlite3.Database): LimiterFactory {
  return (options) =>
    wrap(
      new RateLimiterSQLite({
        ...baseOptions(options),
        storeClient: handle,
        storeType: 'better-sqlite3',
        tableName: 'rate_limits',
      }),
    );
}

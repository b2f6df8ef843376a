import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { baseOptions, wrap } from '../flexible-limiter.js';
import type { LimiterFactory } from '../limiter.js';

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

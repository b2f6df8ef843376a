import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { KvUnavailableError } from './kv.js';
import type { Limiter, LimiterOptions } from './limiter.js';

/** rate-limiter-flexible options shared by the Redis and SQLite limiters. */
export function baseOptions(options: LimiterOptions) {
  return {
    keyPrefix: `rl:${options.name}`,
    points: options.points,
    duration: options.durationSeconds,
    blockDuration: options.blockSeconds ?? 0,
  };
}

/** Our Limiter over a rate-limiter-flexible one: a store failure becomes KvUnavailableError. */
export function wrap(limiter: RateLimiterAbstract): Limiter {
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
    async peek(key) {
      try {
        const taken = await limiter.get(key);
        if (taken && taken.consumedPoints > limiter.points) return { allowed: false, retryAfterMs: taken.msBeforeNext };
        return { allowed: true, retryAfterMs: 0 };
      } catch (error) {
        throw new KvUnavailableError('rate limiter store failed', { cause: error });
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

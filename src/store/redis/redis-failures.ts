import type { Redis } from 'ioredis';
import { createMemoryFailureStore, type FailureStore } from '../failure-store.js';
import { KvUnavailableError } from '../kv.js';

// One group is one hash; a member is a field. The compare and the write run as one script, so
// parallel attempts on another instance cannot interleave between them. The hash's TTL only ever
// grows: a member written later with a shorter one must not cut short a block kept for good.
const COMPARE_AND_SET = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if (current or '') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 or ttl < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return 1`;

type ScriptedRedis = Redis & {
  failureCompareAndSet(key: string, member: string, expected: string, next: string, ttlMs: number): Promise<number>;
};

/**
 * Failure records in Redis. While Redis is unreachable each instance counts in its own memory, as
 * the rate limiters do, so logins keep working with per-instance lockouts. Forgetting clears the
 * memory copy and then fails (KvUnavailableError) unless Redis took it too: an operator's unlock
 * must not report success while the block stands in Redis.
 */
export function createRedisFailureStore(client: Redis, now: () => number): FailureStore {
  client.defineCommand('failureCompareAndSet', { numberOfKeys: 1, lua: COMPARE_AND_SET });
  const scripted = client as ScriptedRedis;
  const fallback = createMemoryFailureStore(now);
  const key = (group: string) => `lockout:${group}`;
  async function either<T>(redis: () => Promise<T>, memory: () => Promise<T>): Promise<T> {
    if (client.status !== 'ready') return memory();
    try {
      return await redis();
    } catch {
      return memory();
    }
  }
  return {
    read: (group, member) =>
      either(
        () => client.hget(key(group), member),
        () => fallback.read(group, member),
      ),
    compareAndSet: (group, member, expected, next, ttlMs) =>
      either(
        async () =>
          (await scripted.failureCompareAndSet(
            key(group),
            member,
            expected ?? '',
            next,
            Math.max(1, Math.ceil(ttlMs)),
          )) === 1,
        () => fallback.compareAndSet(group, member, expected, next, ttlMs),
      ),
    async forget(group, member) {
      await fallback.forget(group, member);
      if (client.status !== 'ready')
        throw new KvUnavailableError('Redis is unreachable: the failure record was not forgotten');
      try {
        await (member === undefined ? client.del(key(group)) : client.hdel(key(group), member));
      } catch (error) {
        throw new KvUnavailableError('Redis is unreachable: the failure record was not forgotten', { cause: error });
      }
    },
  };
}

import { Redis } from 'ioredis';
import { KvUnavailableError, type Kv } from '../kv.js';

export interface RedisKv {
  kv: Kv;
  /** The raw client, shared with the rate limiters. */
  client: Redis;
}

const KEY_PREFIX = 'latchkey:';

export function createRedisKv(url: string): RedisKv {
  const client = new Redis(url, {
    keyPrefix: KEY_PREFIX,
    // Fail fast while disconnected instead of queueing: the denylist must fail closed at once,
    // and the rate limiters switch to their in-memory insurance limiter.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  // Connection errors are reported through failing commands; without a listener ioredis logs them.
  client.on('error', () => {});

  async function guard<T>(operation: () => Promise<T>): Promise<T> {
    if (client.status !== 'ready') throw new KvUnavailableError(`redis is ${client.status}`);
    try {
      return await operation();
    } catch (error) {
      throw new KvUnavailableError('redis command failed', { cause: error });
    }
  }

  const kv: Kv = {
    countExisting: (keys) => guard(() => (keys.length === 0 ? Promise.resolve(0) : client.exists(...keys))),

    setMany: (entries) =>
      guard(async () => {
        if (entries.length === 0) return;
        const pipeline = client.multi();
        for (const e of entries) pipeline.set(e.key, e.value, 'PX', Math.max(1, Math.ceil(e.ttlMs)));
        const results = await pipeline.exec();
        const failed = results?.find(([error]) => error);
        if (!results || failed) throw failed?.[0] ?? new Error('redis transaction aborted');
      }),

    ping: () => guard(async () => void (await client.ping())),

    async settingsWarnings() {
      let maxmemory: string | undefined;
      let policy: string | undefined;
      try {
        [, maxmemory] = (await client.config('GET', 'maxmemory')) as string[];
        [, policy] = (await client.config('GET', 'maxmemory-policy')) as string[];
      } catch {
        // Not connected yet, or CONFIG is disabled (as on several managed services): nothing to say.
        return [];
      }
      // Denylist entries and attempt counters carry a TTL, so the volatile-* policies evict them
      // first: a revoked token would pass until the next resync from the database (at most a
      // minute), and a lockout or rate limit would start over.
      if (Number(maxmemory) > 0 && policy !== 'noeviction') {
        return [
          `Redis may evict keys (maxmemory ${maxmemory}, maxmemory-policy ${policy}): an evicted denylist entry lets a revoked token through for up to a minute, and evicted counters reset lockouts and rate limits; set maxmemory-policy noeviction`,
        ];
      }
      return [];
    },
    onReady: (listener) => void client.on('ready', listener),
    close: async () => {
      if (client.status === 'end') return;
      await client.quit().catch(() => client.disconnect());
    },
  };
  return { kv, client };
}

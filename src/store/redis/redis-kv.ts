import { Redis } from 'ioredis';
import { KvUnavailableError, type Kv } from '../kv.js';

export interface RedisKv {
  kv: Kv;
  /** The raw client, shared with the rate limiters. */
  client: Redis;
}

const KEY_PREFIX = 'latchkey:';
// A loopback or LAN Redis answers in well under a millisecond; one that takes this long is stuck
// (a long script, DEBUG SLEEP, a paused host), and waiting longer only holds every request.
const COMMAND_TIMEOUT_MS = 500;

/** Where the kv store reports losing and regaining its connection. */
export interface ConnectionLog {
  warn(message: string): void;
  info(message: string): void;
}

const QUIET: ConnectionLog = { warn: () => {}, info: () => {} };

/**
 * `log` hears one warning when Redis goes away (or is not there at start) and one line when it is
 * back: ioredis reports every failed reconnect, which would flood the log during an outage.
 */
export function createRedisKv(url: string, log: ConnectionLog = QUIET): RedisKv {
  const client = new Redis(url, {
    keyPrefix: KEY_PREFIX,
    // Fail fast while disconnected instead of queueing, and give up on a Redis that hangs: the
    // denylist then checks the database, the limiters and lockouts count in memory.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  const parsed = new URL(url);
  // Host and port only: the URL may carry a password.
  const where = `Redis at ${parsed.hostname}:${parsed.port || '6379'}`;
  // Unknown until the first connect succeeds or fails; false from the first failure until 'ready'.
  let reachable: boolean | undefined;
  let closing = false;
  const lost = (cause: string) => {
    if (closing || reachable === false) return;
    reachable = false;
    log.warn(
      `kv store: ${where} unreachable (${cause}); revocations are checked against the database and limits counted per instance until it is back`,
    );
  };
  // Connection errors are reported through failing commands; without a listener ioredis logs them.
  client.on('error', (error: NodeJS.ErrnoException) => lost(error.code ?? error.message));
  client.on('close', () => {
    if (reachable) lost('connection closed');
  });
  client.on('ready', () => {
    if (reachable === false) log.info(`kv store: ${where} is back`);
    reachable = true;
  });

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
      closing = true;
      if (client.status === 'end') return;
      await client.quit().catch(() => client.disconnect());
    },
  };
  return { kv, client };
}

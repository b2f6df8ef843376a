import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { KvUnavailableError } from '../../src/store/kv.js';
import { createRedisFailureStore } from '../../src/store/redis/redis-failures.js';
import { manualClock } from '../helpers/clock.js';

describe('the Redis failure store while Redis is unreachable', () => {
  // Nothing listens on port 1: the client never becomes ready.
  const client = new Redis('redis://127.0.0.1:1', {
    maxRetriesPerRequest: 0,
    retryStrategy: () => 1_000,
    lazyConnect: false,
  });
  client.on('error', () => {});
  const store = createRedisFailureStore(client, manualClock());
  afterAll(() => client.disconnect());

  it('counts in memory, so logins keep their per-instance limits', async () => {
    expect(await store.compareAndSet('pw:x@example.com', 'account', null, '1:0:0:9999999999999', 60_000)).toBe(true);
    expect(await store.read('pw:x@example.com', 'account')).toBe('1:0:0:9999999999999');
  });

  it('refuses to forget, so an operator unlock cannot report success while the record stands in Redis', async () => {
    await expect(store.forget('pw:x@example.com')).rejects.toBeInstanceOf(KvUnavailableError);
    // The memory copy is gone all the same.
    expect(await store.read('pw:x@example.com', 'account')).toBeNull();
  });
});

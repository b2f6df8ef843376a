import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisKv, type RedisKv } from '../../src/store/redis/redis-kv.js';
import { OwnRedis } from '../helpers/own-redis.js';
import { freePort } from '../helpers/ports.js';

// A redis-server of this file's own: its settings are changed here, which the shared one must not be.
describe('the Redis kv store’s settings warnings', () => {
  let redis: OwnRedis;
  let admin: Redis;
  let store: RedisKv;

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start(['--maxmemory', '64mb', '--maxmemory-policy', 'volatile-lru']);
    admin = new Redis(redis.url);
    store = createRedisKv(redis.url);
    if (store.client.status !== 'ready') await new Promise((resolve) => store.client.once('ready', resolve));
  });
  afterAll(async () => {
    await store?.kv.close();
    admin?.disconnect();
    await redis?.kill();
  });

  it('warns when Redis may evict denylist entries, naming the setting to change', async () => {
    const warnings = await store.kv.settingsWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/maxmemory-policy volatile-lru/);
    expect(warnings[0]).toMatch(/set maxmemory-policy noeviction/);
  });

  it('says nothing when Redis never evicts: noeviction, or no memory limit at all', async () => {
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    expect(await store.kv.settingsWarnings()).toEqual([]);
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await admin.config('SET', 'maxmemory', '0');
    expect(await store.kv.settingsWarnings()).toEqual([]);
  });
});

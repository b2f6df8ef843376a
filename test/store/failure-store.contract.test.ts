import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSqliteFailureStore } from '../../src/store/embedded/sqlite-failures.js';
import { createMemoryFailureStore, type FailureStore } from '../../src/store/failure-store.js';
import { createRedisFailureStore } from '../../src/store/redis/redis-failures.js';
import { createRedisKv } from '../../src/store/redis/redis-kv.js';
import { openSqlite } from '../../src/store/sql/database.js';
import { manualClock } from '../helpers/clock.js';
import { embeddedTarget, TEST_REDIS_URL } from '../helpers/targets.js';

/** Two handles on one store, as two processes would have. */
interface StorePair {
  first: FailureStore;
  second: FailureStore;
  close(): Promise<void>;
}

async function sqlitePair(): Promise<StorePair> {
  const target = embeddedTarget();
  const clock = manualClock();
  const databases = [openSqlite(target.env.DATA_DIR!), openSqlite(target.env.DATA_DIR!)];
  await databases[0]!.migrate();
  return {
    first: createSqliteFailureStore(databases[0]!.db, clock),
    second: createSqliteFailureStore(databases[1]!.db, clock),
    async close() {
      for (const database of databases) await database.close();
      await target.dispose();
    },
  };
}

async function redisPair(): Promise<StorePair> {
  const handles = [createRedisKv(TEST_REDIS_URL), createRedisKv(TEST_REDIS_URL)];
  await Promise.all(
    handles.map(({ client }) => (client.status === 'ready' ? undefined : new Promise((r) => client.once('ready', r)))),
  );
  return {
    first: createRedisFailureStore(handles[0]!.client, Date.now),
    second: createRedisFailureStore(handles[1]!.client, Date.now),
    async close() {
      for (const { kv } of handles) await kv.close();
    },
  };
}

async function memoryPair(): Promise<StorePair> {
  const store = createMemoryFailureStore(Date.now);
  return { first: store, second: store, close: async () => {} };
}

describe.each([
  { name: 'embedded SQLite', open: sqlitePair },
  { name: 'Redis', open: redisPair },
  { name: 'memory (the Redis fallback)', open: memoryPair },
])('the failure store contract on $name', ({ open }) => {
  const group = () => `test:${randomBytes(6).toString('hex')}`;

  it('writes only over the value the writer read, whichever handle wrote last', async () => {
    const { first, second, close } = await open();
    try {
      const g = group();
      expect(await first.read(g, 'a')).toBeNull();
      expect(await first.compareAndSet(g, 'a', null, '1', 60_000)).toBe(true);
      // The second handle read nothing before the first wrote: its write is refused.
      expect(await second.compareAndSet(g, 'a', null, '1', 60_000)).toBe(false);
      expect(await second.read(g, 'a')).toBe('1');
      expect(await second.compareAndSet(g, 'a', '1', '2', 60_000)).toBe(true);
      expect(await first.compareAndSet(g, 'a', '1', '3', 60_000)).toBe(false);
      expect(await first.read(g, 'a')).toBe('2');
    } finally {
      await close();
    }
  });

  it('lets exactly one of many parallel writers over one read value win', async () => {
    const { first, second, close } = await open();
    try {
      const g = group();
      await first.compareAndSet(g, 'a', null, '0', 60_000);
      const wins = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? first : second).compareAndSet(g, 'a', '0', `w${i}`, 60_000)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    } finally {
      await close();
    }
  });

  it('forgets one member, or a whole group', async () => {
    const { first, second, close } = await open();
    try {
      const g = group();
      for (const member of ['a', 'b', 'c']) await first.compareAndSet(g, member, null, member, 60_000);
      await second.forget(g, 'a');
      expect([await first.read(g, 'a'), await first.read(g, 'b')]).toEqual([null, 'b']);
      await second.forget(g);
      expect([await first.read(g, 'b'), await first.read(g, 'c')]).toEqual([null, null]);
      // A forgotten record can be written afresh.
      expect(await first.compareAndSet(g, 'b', null, 'again', 60_000)).toBe(true);
    } finally {
      await close();
    }
  });
});

describe('the failure store on Redis', () => {
  it("never shortens a group's time to live when a member is written with a shorter one", async () => {
    const { client, kv } = createRedisKv(TEST_REDIS_URL);
    try {
      if (client.status !== 'ready') await new Promise((r) => client.once('ready', r));
      const store = createRedisFailureStore(client, Date.now);
      const group = `test:${randomBytes(6).toString('hex')}`;
      await store.compareAndSet(group, 'blocked', null, 'b', 3_600_000);
      await store.compareAndSet(group, 'other', null, 'o', 60_000);
      expect(await client.pttl(`lockout:${group}`)).toBeGreaterThan(3_500_000);
    } finally {
      await kv.close();
    }
  });
});

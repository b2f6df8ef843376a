import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteKv } from '../../src/store/embedded/sqlite-kv.js';
import type { Kv } from '../../src/store/kv.js';
import { createRedisKv } from '../../src/store/redis/redis-kv.js';
import { openSqlite, type Database } from '../../src/store/sql/database.js';
import { manualClock, type ManualClock } from '../helpers/clock.js';
import { embeddedTarget, TEST_REDIS_URL, waitOutOtherProcessLag, type StorageTarget } from '../helpers/targets.js';

interface KvPair {
  /** Two handles on the same store, as two processes would have. */
  first: Kv;
  second: Kv;
  clock: ManualClock;
  /** Whether TTLs follow the injected clock (SQLite) or real time (Redis). */
  clockDriven: boolean;
  /** Waits as long as one handle may take to see the other's writes (Redis: at once). */
  lag(): Promise<void>;
  close(): Promise<void>;
}

async function sqlitePair(): Promise<KvPair> {
  const target: StorageTarget = embeddedTarget();
  const clock = manualClock();
  const databases: Database[] = [openSqlite(target.env.DATA_DIR!), openSqlite(target.env.DATA_DIR!)];
  await databases[0]!.migrate();
  return {
    first: createSqliteKv(databases[0]!.db, databases[0]!.sqlite!, clock),
    second: createSqliteKv(databases[1]!.db, databases[1]!.sqlite!, clock),
    clock,
    clockDriven: true,
    lag: waitOutOtherProcessLag,
    async close() {
      for (const database of databases) await database.close();
      await target.dispose();
    },
  };
}

async function redisPair(): Promise<KvPair> {
  const first = createRedisKv(TEST_REDIS_URL);
  const second = createRedisKv(TEST_REDIS_URL);
  await Promise.all(
    [first.client, second.client].map((c) =>
      c.status === 'ready' ? undefined : new Promise((r) => c.once('ready', r)),
    ),
  );
  return {
    first: first.kv,
    second: second.kv,
    clock: manualClock(),
    clockDriven: false,
    lag: async () => {},
    async close() {
      await first.kv.close();
      await second.kv.close();
    },
  };
}

describe.each([
  { name: 'embedded SQLite', open: sqlitePair },
  { name: 'Redis', open: redisPair },
])('the kv store contract on $name', ({ open }) => {
  let pair: KvPair;
  const key = () => `contract:${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    pair = await open();
  });
  afterAll(async () => {
    await pair?.close();
  });

  it('counts which of the keys exist', async () => {
    const [a, b, missing] = [key(), key(), key()];
    await pair.first.setMany([
      { key: a, value: '1', ttlMs: 60_000 },
      { key: b, value: '1', ttlMs: 60_000 },
    ]);
    expect(await pair.first.countExisting([a, b, missing])).toBe(2);
    expect(await pair.first.countExisting([missing])).toBe(0);
    expect(await pair.first.countExisting([])).toBe(0);
  });

  it('shows one handle’s writes to the other (as another process would see them)', async () => {
    const k = key();
    expect(await pair.second.countExisting([k])).toBe(0);
    await pair.first.setMany([{ key: k, value: '1', ttlMs: 60_000 }]);
    await pair.lag();
    expect(await pair.second.countExisting([k])).toBe(1);
  });

  it('forgets an entry when its time is up', async () => {
    const k = key();
    await pair.first.setMany([{ key: k, value: '1', ttlMs: 1_000 }]);
    await pair.lag();
    expect(await pair.second.countExisting([k])).toBe(1);
    if (pair.clockDriven) {
      pair.clock.advance(1_001);
    } else {
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    }
    expect(await pair.first.countExisting([k])).toBe(0);
    expect(await pair.second.countExisting([k])).toBe(0);
  });

  it('overwrites an entry with a new time to live', async () => {
    const k = key();
    await pair.first.setMany([{ key: k, value: '1', ttlMs: 1_000 }]);
    await pair.second.setMany([{ key: k, value: '1', ttlMs: 60_000 }]);
    await pair.lag();
    if (pair.clockDriven) pair.clock.advance(2_000);
    else await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await pair.first.countExisting([k])).toBe(1);
  });

  it('takes more entries at once than one SQL statement can bind (a denylist resync after a busy hour)', async () => {
    const prefix = key();
    const entries = Array.from({ length: 12_000 }, (_, i) => ({ key: `${prefix}:${i}`, value: '1', ttlMs: 60_000 }));
    await pair.first.setMany(entries);
    await pair.lag();
    expect(await pair.second.countExisting([`${prefix}:0`, `${prefix}:11999`, `${prefix}:12000`])).toBe(2);
  });

  it('answers ping', async () => {
    await expect(pair.first.ping()).resolves.toBeUndefined();
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createRedisKv, type ConnectionLog, type RedisKv } from '../../src/store/redis/redis-kv.js';
import { OwnRedis } from '../helpers/own-redis.js';
import { freePort } from '../helpers/ports.js';

// A redis-server of this file's own, which it stops and starts again.

interface Captured extends ConnectionLog {
  warnings: string[];
  infos: string[];
}

function capture(): Captured {
  const log: Captured = {
    warnings: [],
    infos: [],
    warn: (m) => void log.warnings.push(m),
    info: (m) => void log.infos.push(m),
  };
  return log;
}

/** The next `event` of the client (events.once would reject on the 'error' an outage emits). */
function next(store: RedisKv, event: 'ready' | 'reconnecting'): Promise<void> {
  if (event === 'ready' && store.client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => store.client.once(event, () => resolve()));
}

/** Waits until ioredis has tried to reconnect `count` more times: an outage that has gone on a while. */
async function reconnectAttempts(store: RedisKv, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await next(store, 'reconnecting');
}

describe('the Redis kv store reports its connection', () => {
  let redis: OwnRedis;
  let store: RedisKv | undefined;

  afterEach(async () => {
    await store?.kv.close();
    await redis?.kill();
  });

  it('warns once when Redis goes away, however many reconnects fail, and says once when it is back', async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    const log = capture();
    store = createRedisKv(`redis://:hunter22secret@127.0.0.1:${redis.port}`, log);
    await next(store, 'ready');
    expect(log.warnings).toEqual([]);

    await redis.kill();
    await reconnectAttempts(store, 3);
    expect(log.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^kv store: Redis at 127\\.0\\.0\\.1:${redis.port} unreachable \\(.+\\); revocations are checked against the database`,
        ),
      ),
    ]);
    expect(log.infos).toEqual([]);

    await redis.start();
    await next(store, 'ready');
    expect(log.warnings).toHaveLength(1);
    expect(log.infos).toEqual([`kv store: Redis at 127.0.0.1:${redis.port} is back`]);
    expect([...log.warnings, ...log.infos].join('\n')).not.toContain('hunter22');
  });

  it('warns once when Redis is not there at start, and says when it arrives', async () => {
    redis = new OwnRedis(await freePort());
    const log = capture();
    store = createRedisKv(redis.url, log);
    await reconnectAttempts(store, 3);
    expect(log.warnings).toEqual([expect.stringMatching(/unreachable \(ECONNREFUSED\)/)]);

    await redis.start();
    await next(store, 'ready');
    expect(log.warnings).toHaveLength(1);
    expect(log.infos).toEqual([expect.stringMatching(/is back$/)]);
  });

  it('says nothing when it is closed on purpose', async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    const log = capture();
    const closing = createRedisKv(redis.url, log);
    await new Promise((resolve) => closing.client.once('ready', resolve));
    await closing.kv.close();
    expect(log.warnings).toEqual([]);
  });
});

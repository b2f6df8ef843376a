import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUserDisabled } from '../src/core/index.js';
import { caller, registerV1 } from './helpers/api.js';
import { feedReader, jtiOf, listening, openFeed } from './helpers/feed.js';
import { OwnRedis } from './helpers/own-redis.js';
import { freePort } from './helpers/ports.js';
import { startServer, uniqueEmail, type TestServer } from './helpers/server.js';
import { postgresTarget, type StorageTarget } from './helpers/targets.js';

// This file runs its own redis-server, so flushing or killing it touches no other test.

describe('the revocation feed when Redis loses its data or goes away (two instances, PostgreSQL)', () => {
  let redis: OwnRedis;
  let target: StorageTarget;
  let a: TestServer;
  let b: TestServer;
  let baseB: string;
  let authorization: string;

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    target = await postgresTarget(redis.url);
    a = await startServer(target);
    b = await startServer(target);
    baseB = await listening(b);
    ({ authorization } = await feedReader(a));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.kill();
    await target?.dispose();
  });

  it('gives a subscriber that reconnects after FLUSHALL the full snapshot, from the database', async () => {
    const login = await registerV1(caller(a), uniqueEmail('flush'));
    expect((await caller(a).post('/api/v1/auth/logout', undefined, login.token)).status).toBe(200);
    const admin = new Redis(redis.url);
    await admin.flushall();
    admin.disconnect();

    const feed = await openFeed(baseB, authorization);
    try {
      const snapshot = await feed.next();
      expect(snapshot.event).toBe('snapshot');
      expect(snapshot.data.revocations).toContainEqual(
        expect.objectContaining({ type: 'token', id: jtiOf(login.token) }),
      );
      // And the live feed still runs.
      const next = await registerV1(caller(a), uniqueEmail('flush'));
      expect((await caller(a).post('/api/v1/auth/logout', undefined, next.token)).status).toBe(200);
      await feed.revocation('token', jtiOf(next.token));
    } finally {
      feed.close();
    }
  });

  it('still delivers a revocation recorded while Redis is down (the periodic read), and goes on once it is back', async () => {
    const login = await registerV1(caller(a), uniqueEmail('down'));
    const sessionId = JSON.parse(Buffer.from(login.token.split('.')[1]!, 'base64url').toString()).sid as string;
    const feed = await openFeed(baseB, authorization);
    try {
      await feed.next();
      await redis.kill();
      // The database has the revocation; the kv copy and the announcement to B fail.
      await expect(setUserDisabled(a.core, login.user.id, true)).resolves.toBe(true);
      await feed.revocation('session', sessionId, 5_000);
    } finally {
      await redis.start();
    }
    try {
      const next = await registerV1(caller(a), uniqueEmail('back'));
      // A answers again once its kv copy is rebuilt from the database.
      const deadline = Date.now() + 10_000;
      while ((await caller(a).get('/api/v1/auth/me', next.token)).status === 503 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect((await caller(a).post('/api/v1/auth/logout', undefined, next.token)).status).toBe(200);
      await feed.revocation('token', jtiOf(next.token));
    } finally {
      feed.close();
    }
  });
});

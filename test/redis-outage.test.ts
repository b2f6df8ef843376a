import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, PASSWORD, registerV1 } from './helpers/api.js';
import { startServer, uniqueEmail, type TestServer } from './helpers/server.js';
import { postgresTarget, type StorageTarget } from './helpers/targets.js';
import { OwnRedis } from './helpers/own-redis.js';
import { freePort } from './helpers/ports.js';

// This file runs its own redis-server, so killing it touches no other test.

const WAIT_MS = 10_000;

/** Polls `probe` until it returns true, failing after WAIT_MS. */
async function eventually(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('losing Redis (PostgreSQL + a Redis of our own)', () => {
  let redis: OwnRedis;
  let target: StorageTarget;
  let server: TestServer;

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    target = await postgresTarget(redis.url);
    server = await startServer(target, { LOGIN_RATE_LIMIT: '100' });
  });
  afterAll(async () => {
    await server?.close();
    await redis?.kill();
    await target?.dispose();
  });

  /** Brings Redis back (empty) and waits until the server authenticates again. */
  async function restoreRedis(probeToken: string): Promise<void> {
    await redis.start();
    await eventually(
      'server recovers after redis restart',
      async () => (await caller(server).get('/api/v1/auth/me', probeToken)).status !== 503,
    );
  }

  it('fails closed while Redis is down: revoked and valid tokens get 503, never 200; login still works', async () => {
    const client = caller(server);
    const email = uniqueEmail();
    const revoked = await registerV1(client, email);
    const valid = (await client.post('/api/v1/auth/login', { email, password: PASSWORD })).body.data;
    expect((await client.post('/api/v1/auth/logout', undefined, revoked.token)).status).toBe(200);
    expect((await client.get('/api/v1/auth/me', revoked.token)).body.error.code).toBe('TOKEN_REVOKED');
    // The valid token is in the verified cache: the cache must not bypass the denylist check.
    expect((await client.get('/api/v1/auth/me', valid.token)).status).toBe(200);

    await redis.kill();
    try {
      for (const token of [revoked.token, valid.token]) {
        const v1 = await client.get('/api/v1/auth/me', token);
        expect(v1.status).toBe(503);
        expect(v1.body).toEqual({ success: false, error: { code: 'KV_UNAVAILABLE', message: expect.any(String) } });
        const flat = await client.get('/api/voicelogs', token);
        expect(flat.status).toBe(503);
        expect(flat.body.code).toBe('KV_UNAVAILABLE');
      }

      const health = await client.get('/healthz');
      expect(health.status).toBe(503);
      expect(health.body).toEqual({ status: 'unavailable', database: 'ok', kv: 'unavailable' });

      // Rate limits fall back to per-instance memory: logging in does not need Redis.
      const login = await client.post('/api/v1/auth/login', { email, password: PASSWORD });
      expect(login.status).toBe(200);
      expect(login.body.data.token).toEqual(expect.any(String));
      const wrong = await client.post('/api/v1/auth/login', { email, password: 'wrong password' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    } finally {
      await restoreRedis(valid.token);
    }
  });

  it('reconnects by itself to an empty Redis and rebuilds the denylist from the database', async () => {
    const client = caller(server);
    const email = uniqueEmail();
    const revoked = await registerV1(client, email);
    const valid = (await client.post('/api/v1/auth/login', { email, password: PASSWORD })).body.data;
    expect((await client.post('/api/v1/auth/logout', undefined, revoked.token)).status).toBe(200);

    await redis.kill();
    expect((await client.get('/api/v1/auth/me', revoked.token)).status).toBe(503);
    // The new process starts with no data: every denylist entry in Redis is gone.
    await restoreRedis(valid.token);

    const after = await client.get('/api/v1/auth/me', revoked.token);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('TOKEN_REVOKED');
    expect((await client.get('/api/voicelogs', revoked.token)).body.code).toBe('TOKEN_REVOKED');
    expect((await client.get('/api/v1/auth/me', valid.token)).status).toBe(200);

    const fresh = await client.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(fresh.status).toBe(200);
    expect((await client.get('/api/v1/auth/me', fresh.body.data.token)).status).toBe(200);

    const health = await client.get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', database: 'ok', kv: 'ok' });
  });

  it('revokes on logout after the reconnect, with the new entries in the new Redis', async () => {
    await redis.kill();
    const client = caller(server);
    const email = uniqueEmail();
    // Registration needs only the database and the in-memory fallback limiter.
    const login = await registerV1(client, email);
    await restoreRedis(login.token);
    expect((await client.post('/api/v1/auth/logout', undefined, login.token)).status).toBe(200);
    expect((await client.get('/api/v1/auth/me', login.token)).body.error.code).toBe('TOKEN_REVOKED');
  });
});

import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FALLBACK_MAX_AGE_MS } from '../src/core/index.js';
import { type Caller, caller, PASSWORD, registerV1 } from './helpers/api.js';
import { OwnRedis } from './helpers/own-redis.js';
import { freePort } from './helpers/ports.js';
import { startServer, type TestServer, uniqueEmail } from './helpers/server.js';
import { postgresTarget, type StorageTarget } from './helpers/targets.js';

// This file runs its own redis-server, so killing or pausing it touches no other test. Two
// instances share one PostgreSQL schema and that Redis, like two processes behind a balancer.

const WAIT_MS = 15_000;
const ENV = { LOGIN_RATE_LIMIT: '10000' };

/** Polls `probe` until it returns true, failing after WAIT_MS. */
async function eventually(what: string, probe: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until `ms` have passed since `since` (performance.now()). */
async function waitUntil(since: number, ms: number): Promise<void> {
  while (performance.now() < since + ms) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function login(client: Caller, email: string): Promise<{ token: string; refreshToken: string }> {
  const res = await client.post('/api/v1/auth/login', { email, password: PASSWORD });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

describe('losing Redis (PostgreSQL + a Redis of our own, two instances)', () => {
  let redis: OwnRedis;
  let target: StorageTarget;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start(['--enable-debug-command', 'yes']);
    target = await postgresTarget(redis.url);
    a = await startServer(target, ENV);
    b = await startServer(target, ENV);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.kill();
    await target?.dispose();
  });

  /** Brings Redis back (empty) and waits until both instances trust their rebuilt copy again. */
  async function restoreRedis(): Promise<void> {
    await redis.start(['--enable-debug-command', 'yes']);
    // Reconnected (a reconnect starts a rebuild at once) and rebuilt, on both.
    const trusting = async (server: TestServer) =>
      (await server.core.stores.kv.ping().then(
        () => true,
        () => false,
      )) && !server.core.denylist.usingFallback;
    await eventually(
      'both instances rebuild the denylist copy',
      async () => (await trusting(a)) && (await trusting(b)),
    );
  }

  it('keeps answering while Redis is down: valid tokens pass, revoked ones are refused, login and logout work', async () => {
    const onA = caller(a);
    const onB = caller(b);
    const email = uniqueEmail();
    const revoked = await registerV1(onA, email);
    const valid = await login(onA, email);
    expect((await onA.post('/api/v1/auth/logout', undefined, revoked.token)).status).toBe(200);
    // Both verified (and cached) while Redis answered: the cache must not bypass the check.
    for (const server of [onA, onB]) expect((await server.get('/api/v1/auth/me', valid.token)).status).toBe(200);

    await redis.kill();
    try {
      for (const client of [onA, onB]) {
        expect((await client.get('/api/v1/auth/me', valid.token)).status).toBe(200);
        expect((await client.get('/api/voicelogs', valid.token)).status).toBe(200);
        const refused = await client.get('/api/v1/auth/me', revoked.token);
        expect(refused.status).toBe(401);
        expect(refused.body.error.code).toBe('TOKEN_REVOKED');
        expect((await client.get('/api/voicelogs', revoked.token)).body.code).toBe('TOKEN_REVOKED');
      }

      const health = await onA.get('/healthz');
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'degraded', database: 'ok', kv: 'unavailable' });
      expect((await onA.get('/readyz')).body).toEqual({ status: 'ready', database: 'ok', schema: 'current' });
      expect((await onA.get('/livez')).status).toBe(200);

      // Limits and lockouts count per instance meanwhile; a token issued now is usable at once.
      const fresh = await login(onB, email);
      for (const client of [onA, onB]) expect((await client.get('/api/v1/auth/me', fresh.token)).status).toBe(200);
      const wrong = await onA.post('/api/v1/auth/login', { email, password: 'wrong password' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
      const refreshed = await onA.post('/api/v1/auth/refresh', { refreshToken: fresh.refreshToken });
      expect(refreshed.status).toBe(200);
      expect((await onB.get('/api/v1/agents', refreshed.body.data.token)).status).toBe(200);
    } finally {
      await restoreRedis();
    }
  });

  it('refuses a token logged out on A while Redis is down at once on A, and on B within FALLBACK_MAX_AGE_MS', async () => {
    const onA = caller(a);
    const onB = caller(b);
    const email = uniqueEmail();
    const session = await registerV1(onA, email);
    const other = await login(onB, email);
    await redis.kill();
    try {
      // B has checked against the database once, so its mirror is warm and could be stale.
      expect((await onB.get('/api/v1/auth/me', session.token)).status).toBe(200);
      expect((await onA.post('/api/v1/auth/logout', undefined, session.token)).status).toBe(200);
      const answeredAt = performance.now();
      const onThisInstance = await onA.get('/api/v1/auth/me', session.token);
      expect(onThisInstance.status).toBe(401);
      expect(onThisInstance.body.error.code).toBe('TOKEN_REVOKED');
      // The session's refresh token died with it, on either instance (the database decides).
      expect((await onB.post('/api/v1/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);

      await waitUntil(answeredAt, FALLBACK_MAX_AGE_MS);
      const onOther = await onB.get('/api/v1/auth/me', session.token);
      expect(onOther.status).toBe(401);
      expect(onOther.body.error.code).toBe('TOKEN_REVOKED');
      // Only that session: the user's other one goes on.
      expect((await onB.get('/api/v1/auth/me', other.token)).status).toBe(200);

      // Sign-out-everywhere on B while down reaches A the same way.
      expect((await onB.delete('/api/v1/auth/sessions', other.token)).status).toBe(200);
      expect((await onB.get('/api/v1/auth/me', other.token)).status).toBe(401);
      await waitUntil(performance.now(), FALLBACK_MAX_AGE_MS);
      expect((await onA.get('/api/v1/auth/me', other.token)).status).toBe(401);
    } finally {
      await restoreRedis();
    }
    // Recorded in the database only while Redis was away: the rebuilt copy has them.
    for (const client of [onA, onB]) {
      expect((await client.get('/api/v1/auth/me', session.token)).body.error.code).toBe('TOKEN_REVOKED');
      expect((await client.get('/api/v1/auth/me', other.token)).body.error.code).toBe('TOKEN_REVOKED');
    }
  });

  it('reconnects by itself to an empty Redis and rebuilds the denylist from the database', async () => {
    const client = caller(a);
    const email = uniqueEmail();
    const revoked = await registerV1(client, email);
    const valid = await login(client, email);
    expect((await client.post('/api/v1/auth/logout', undefined, revoked.token)).status).toBe(200);

    await redis.kill();
    // The new process starts with no data: every denylist entry in Redis is gone.
    await restoreRedis();

    const after = await client.get('/api/v1/auth/me', revoked.token);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('TOKEN_REVOKED');
    expect((await caller(b).get('/api/voicelogs', revoked.token)).body.code).toBe('TOKEN_REVOKED');
    expect((await client.get('/api/v1/auth/me', valid.token)).status).toBe(200);

    const health = await client.get('/healthz');
    expect(health.body).toEqual({ status: 'ok', database: 'ok', kv: 'ok' });
  });

  it('survives a Redis that hangs (DEBUG SLEEP): requests are answered, revoked tokens refused', async () => {
    const onA = caller(a);
    const onB = caller(b);
    const email = uniqueEmail();
    const revoked = await registerV1(onA, email);
    const valid = await login(onA, email);
    const toLogOut = await login(onA, email);
    expect((await onA.post('/api/v1/auth/logout', undefined, revoked.token)).status).toBe(200);

    const pauser = new Redis(redis.url, { lazyConnect: true });
    await pauser.connect();
    try {
      const paused = pauser.call('DEBUG', 'SLEEP', '3');
      // The pause has begun once a PING from another connection goes unanswered.
      const probe = new Redis(redis.url, { commandTimeout: 200, maxRetriesPerRequest: 0 });
      probe.on('error', () => {});
      await eventually('redis pauses', () =>
        probe.ping().then(
          () => false,
          () => true,
        ),
      );
      probe.disconnect();

      for (const client of [onA, onB]) {
        expect((await client.get('/api/v1/auth/me', valid.token)).status).toBe(200);
        expect((await client.get('/api/v1/auth/me', revoked.token)).status).toBe(401);
      }
      expect((await onA.post('/api/v1/auth/logout', undefined, toLogOut.token)).status).toBe(200);
      expect((await onA.get('/api/v1/auth/me', toLogOut.token)).status).toBe(401);
      await paused;
    } finally {
      pauser.disconnect();
    }
    await eventually(
      'both instances trust Redis again without a reconnect',
      () => !a.core.denylist.usingFallback && !b.core.denylist.usingFallback,
    );
    for (const client of [onA, onB]) {
      expect((await client.get('/api/v1/auth/me', toLogOut.token)).body.error.code).toBe('TOKEN_REVOKED');
      expect((await client.get('/api/v1/auth/me', valid.token)).status).toBe(200);
    }
  });

  it('under load through a kill, a restart and a pause: no revoked token accepted, no 5xx, no logout lost', async () => {
    const email = uniqueEmail();
    await registerV1(caller(a), email);
    const revoked: string[] = [];
    const live: string[] = [];
    const spare: string[] = [];
    for (let i = 0; i < 24; i++) {
      const session = await login(caller(i % 2 ? a : b), email);
      (i < 4 ? revoked : i < 8 ? live : spare).push(session.token);
    }
    for (const token of revoked)
      expect((await caller(a).post('/api/v1/auth/logout', undefined, token)).status).toBe(200);

    const counts = { requests: 0, revokedAccepted: 0, fivexx: 0, loggedOut: 0, acceptedAfterOwnLogout: 0 };
    const loggedOut: string[] = [];
    let running = true;
    async function worker(n: number): Promise<void> {
      const server = n % 2 ? a : b;
      const client = caller(server);
      for (let i = 0; running; i++) {
        const kind = i % 3;
        if (kind === 2 && spare.length > 0) {
          const token = spare.pop()!;
          const res = await client.post('/api/v1/auth/logout', undefined, token);
          counts.requests++;
          if (res.status >= 500) counts.fivexx++;
          if (res.status !== 200) continue;
          counts.loggedOut++;
          loggedOut.push(token);
          if ((await client.get('/api/v1/auth/me', token)).status === 200) counts.acceptedAfterOwnLogout++;
          continue;
        }
        const token = kind === 0 ? live[i % live.length]! : revoked[i % revoked.length]!;
        const res = await client.get(i % 2 ? '/api/v1/auth/me' : '/api/voicelogs', token);
        counts.requests++;
        if (res.status >= 500) counts.fivexx++;
        if (kind === 1 && res.status === 200) counts.revokedAccepted++;
      }
    }
    const workers = Array.from({ length: 6 }, (_, n) => worker(n));
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await redis.kill();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await restoreRedis();
      const pauser = new Redis(redis.url);
      await pauser.call('DEBUG', 'SLEEP', '2');
      pauser.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      running = false;
      await Promise.all(workers);
    }

    // Every answered logout holds on both instances once the other's delay has passed.
    await waitUntil(performance.now(), FALLBACK_MAX_AGE_MS);
    let lost = 0;
    for (const token of loggedOut) {
      for (const server of [a, b]) if ((await caller(server).get('/api/v1/auth/me', token)).status !== 401) lost++;
    }
    expect(counts.requests).toBeGreaterThan(50);
    expect(counts.loggedOut).toBeGreaterThan(0);
    expect({ ...counts, lost }).toEqual({
      ...counts,
      revokedAccepted: 0,
      fivexx: 0,
      acceptedAfterOwnLogout: 0,
      lost: 0,
    });
  });
});

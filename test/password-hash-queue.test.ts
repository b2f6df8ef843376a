import { describe, expect, it } from 'vitest';
import { caller, PASSWORD, registerV1 } from './helpers/api.js';
import { uniqueEmail, uniqueIp, useServer } from './helpers/server.js';
import { embeddedTarget } from './helpers/targets.js';

// One hashing thread and one waiting place: two requests that hash fill the queue.
const ENV = {
  PASSWORD_HASH_CONCURRENCY: '1',
  PASSWORD_HASH_QUEUE: '1',
  LOCKOUT_MAX_FAILURES: '3',
  LOGIN_RATE_LIMIT: '3',
};

describe('bounded password hashing (PASSWORD_HASH_QUEUE)', () => {
  const { server } = useServer(async () => embeddedTarget(), ENV);

  /** Holds every place with work that ends when the returned function is called. */
  function fillQueue(): () => Promise<void> {
    const releases: (() => void)[] = [];
    const held = Array.from({ length: 2 }, () =>
      server.core.hashing.run(() => new Promise<void>((resolve) => releases.push(resolve))),
    );
    expect(server.core.hashing.admitted).toBe(2);
    return async () => {
      for (const release of releases) release();
      await Promise.all(held);
    };
  }

  it('answers 503 SERVER_BUSY with Retry-After on every path that hashes, while the queue is full', async () => {
    const email = uniqueEmail();
    const session = await registerV1(caller(server), email);
    const client = caller(server);
    const release = fillQueue();
    try {
      const v1 = [
        await client.post('/api/v1/auth/login', { email, password: PASSWORD }),
        await client.post('/api/v1/auth/register', { email: uniqueEmail(), password: PASSWORD }),
        await client.post('/api/v1/auth/reauthenticate', { password: PASSWORD }, session.token),
        await client.post(
          '/api/v1/auth/change-password',
          { currentPassword: PASSWORD, newPassword: 'another horse battery' },
          session.token,
        ),
        await client.post('/api/v1/auth/2fa/disable', { code: '123456', password: PASSWORD }, session.token),
      ];
      for (const res of v1) {
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('SERVER_BUSY');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      const flat = await client.post('/api/auth/login', { email, password: PASSWORD });
      expect(flat.status).toBe(503);
      expect(flat.body.code).toBe('SERVER_BUSY');
      expect(Number(flat.headers['retry-after'])).toBeGreaterThan(0);
      // Routes that hash nothing are not held back.
      expect((await client.get('/api/v1/auth/me', session.token)).status).toBe(200);
    } finally {
      await release();
    }
    expect((await client.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('counts a refused request toward neither the lockout nor the IP limit', async () => {
    const email = uniqueEmail();
    await registerV1(caller(server), email);
    const ip = uniqueIp();
    const client = caller(server, ip);
    const release = fillQueue();
    try {
      for (let i = 0; i < 10; i++) {
        const res = await client.post('/api/v1/auth/login', { email, password: 'wrong password' });
        expect(res.body.error.code).toBe('SERVER_BUSY');
      }
    } finally {
      await release();
    }
    // The whole budget is left: two failures and a success from the same address, all answered.
    for (let i = 0; i < 2; i++) {
      const wrong = await client.post('/api/v1/auth/login', { email, password: 'wrong password' });
      expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    }
    expect((await client.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('admits what fits from a burst of real logins and refuses the rest with 503 only', async () => {
    const email = uniqueEmail();
    await registerV1(caller(server), email);
    const burst = await Promise.all(
      Array.from({ length: 30 }, () => caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })),
    );
    const statuses = burst.map((res) => res.status);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    for (const res of burst.filter((r) => r.status === 503)) expect(res.body.error.code).toBe('SERVER_BUSY');
    expect(server.core.hashing.admitted).toBe(0);
  });
});

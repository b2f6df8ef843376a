import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { caller, PASSWORD, registerV1 } from './helpers/api.js';
import { startServer, useServer, uniqueEmail, uniqueIp, type TestServer } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';

/** One failed login (an unknown e-mail) arriving from `remoteAddress`, forwarding for `forwardedFor` when given. */
function failedLogin(server: TestServer, remoteAddress: string, forwardedFor?: string) {
  return server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress,
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    payload: { email: uniqueEmail('ghost'), password: 'x' },
  });
}

/** The first four groups of an IPv6 address in a fresh /64 of the documentation range. */
function freshIpv6Network(): string {
  return `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
}

describe.each(TARGETS)('login limits on $name', ({ create }) => {
  const { server, target } = useServer(create, { LOCKOUT_MAX_FAILURES: '3', LOGIN_RATE_LIMIT: '6' });

  it('locks the account after N failures, even against the right password, and a success resets the count', async () => {
    const email = uniqueEmail();
    await registerV1(caller(server), email);
    // Two failures, then a success: the count starts over.
    for (let i = 0; i < 2; i++)
      expect((await caller(server).post('/api/v1/auth/login', { email, password: 'x' })).status).toBe(401);
    expect((await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
    for (let i = 0; i < 3; i++)
      expect((await caller(server).post('/api/v1/auth/login', { email, password: 'x' })).status).toBe(401);
    const locked = await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('ACCOUNT_LOCKED');
    expect(locked.body.error.message).toBe('Account locked');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(1700);
    const flat = await caller(server).post('/api/auth/login', { email, password: PASSWORD });
    expect(flat.status).toBe(423);
    expect(flat.body.code).toBe('ACCOUNT_LOCKED');
  });

  it('locks unknown e-mails the same way, so a 423 reveals nothing', async () => {
    const email = uniqueEmail('ghost');
    for (let i = 0; i < 3; i++)
      expect((await caller(server).post('/api/v1/auth/login', { email, password: 'x' })).status).toBe(401);
    expect((await caller(server).post('/api/v1/auth/login', { email, password: 'x' })).status).toBe(423);
  });

  it('counts parallel attempts atomically: no more than N reach the password check', async () => {
    const email = uniqueEmail();
    await registerV1(caller(server), email);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => caller(server).post('/api/v1/auth/login', { email, password: 'wrong' })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 423)).toHaveLength(7);
  });

  it('rate-limits login per client IP with Retry-After, and a forged X-Forwarded-For does not bypass it', async () => {
    const client = caller(server);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await failedLogin(server, client.ip, `203.0.113.${i}`);
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(JSON.parse(res.body).error).toEqual({
          code: 'TOO_MANY_LOGIN_ATTEMPTS',
          message: 'Too many login attempts',
        });
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
  });

  it('counts the client behind a proxy named in TRUST_PROXY by its X-Forwarded-For address', async () => {
    const proxied = await startServer(target, { TRUST_PROXY: '10.9.9.9', LOGIN_RATE_LIMIT: '2' });
    try {
      const attempt = (client: string) => failedLogin(proxied, '10.9.9.9', client);
      const [client, neighbour] = [uniqueIp(), uniqueIp()];
      const first = [await attempt(client), await attempt(client), await attempt(client)];
      expect(first.map((r) => r.statusCode)).toEqual([401, 401, 429]);
      // Another client behind the same proxy has its own budget.
      expect((await attempt(neighbour)).statusCode).toBe(401);
    } finally {
      await proxied.close();
    }
  });

  it.each<{ case: string; env: Record<string, string>; interfaceIds: string[] }>([
    {
      case: 'an IPv6 client by its /64, so rotating addresses inside it does not reset the budget',
      env: { LOGIN_RATE_LIMIT: '2' },
      interfaceIds: ['0:0:0:1', '0:0:0:2', 'dead:beef:0:3'],
    },
    {
      case: 'each IPv6 address on its own with LOGIN_RATE_LIMIT_IPV6_PREFIX=128 (hosts that share a /64)',
      env: { LOGIN_RATE_LIMIT: '1', LOGIN_RATE_LIMIT_IPV6_PREFIX: '128' },
      interfaceIds: ['0:0:0:1', '0:0:0:2', '0:0:0:1'],
    },
  ])('counts $case', async ({ env, interfaceIds }) => {
    const limited = await startServer(target, env);
    try {
      const network = freshIpv6Network();
      const statuses: number[] = [];
      for (const interfaceId of interfaceIds)
        statuses.push((await failedLogin(limited, `${network}:${interfaceId}`)).statusCode);
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await limited.close();
    }
  });
});

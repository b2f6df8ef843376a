import { describe, expect, it } from 'vitest';
import { caller, registerV1 } from './helpers/api.js';
import { useServer, uniqueEmail, uniqueIp } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';
import { authenticator, midStepClock } from './helpers/totp.js';

describe.each(TARGETS)('2FA enrolment limits on $name', ({ create }) => {
  const clock = midStepClock();

  const { server } = useServer(create, { MFA_LOCKOUT_MAX_FAILURES: '3', LOGIN_RATE_LIMIT: '4' }, clock);

  /** A signed-in user with a setup left unfinished, and the code its authenticator shows. */
  async function unfinishedSetup() {
    const client = caller(server);
    const { token } = await registerV1(client, uniqueEmail());
    const setup = await client.post('/api/v1/auth/2fa/setup', undefined, token);
    expect(setup.status).toBe(200);
    return { token, app: authenticator(setup.body.data.otpauthUrl, clock) };
  }

  /** verify-setup from `ip` (each test its own, so the IP limit is the test's). */
  const verifySetup = (ip: string, token: string, code: string, url = '/api/v1/auth/2fa/verify-setup') =>
    server.app.inject({
      method: 'POST',
      url,
      remoteAddress: ip,
      headers: { authorization: `Bearer ${token}` },
      payload: { code },
    });

  it('locks enrolment after MFA_LOCKOUT_MAX_FAILURES wrong codes on both surfaces, even against the right code', async () => {
    const { token, app } = await unfinishedSetup();
    const ips = [uniqueIp(), uniqueIp()];
    for (let i = 0; i < 3; i++) expect((await verifySetup(ips[i % 2]!, token, app.code(4))).statusCode).toBe(401);
    const v1 = await verifySetup(ips[0]!, token, app.code());
    expect(v1.statusCode).toBe(423);
    expect(v1.headers['retry-after']).toBe('1800');
    expect(JSON.parse(v1.body).error).toEqual({
      code: 'MFA_LOCKED',
      message: 'Two-factor verification locked after too many wrong codes',
      details: { reason: 'temporary', retryAfterSeconds: 1800 },
    });
    const flat = await verifySetup(ips[1]!, token, app.code(), '/api/auth/mfa/verify-setup');
    expect(flat.statusCode).toBe(423);
    expect(JSON.parse(flat.body)).toEqual({
      detail: 'Two-factor verification locked after too many wrong codes',
      code: 'MFA_LOCKED',
      details: { reason: 'temporary', retryAfterSeconds: 1800 },
    });
  });

  it('counts enrolment codes toward the per-IP limit', async () => {
    const [first, second] = [await unfinishedSetup(), await unfinishedSetup()];
    const ip = uniqueIp();
    // Two accounts, so no account reaches its own lockout: the IP's budget (4) runs out first.
    for (let i = 0; i < 4; i++) {
      const { token, app } = i % 2 ? second : first;
      expect((await verifySetup(ip, token, app.code(4))).statusCode).toBe(401);
    }
    const limited = await verifySetup(ip, first.token, first.app.code());
    expect(limited.statusCode).toBe(429);
    expect(JSON.parse(limited.body).error.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('gives the count back on a correct code', async () => {
    const { token, app } = await unfinishedSetup();
    const ip = uniqueIp();
    for (let i = 0; i < 2; i++) expect((await verifySetup(ip, token, app.code(4))).statusCode).toBe(401);
    expect((await verifySetup(ip, token, app.code())).statusCode).toBe(200);
    const status = await caller(server).get('/api/v1/auth/me', token);
    expect(status.body.data.user.twoFactorEnabled).toBe(true);
  });
});

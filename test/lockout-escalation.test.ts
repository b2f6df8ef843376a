import { describe, expect, it } from 'vitest';
import { unlockAccount } from '../src/core/limits/unlock-account.js';
import { caller, PASSWORD, registerV1 } from './helpers/api.js';
import { useServer, uniqueEmail, uniqueIp } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';
import { enrolTwoFactor, midStepClock } from './helpers/totp.js';

const MINUTE_MS = 60_000;
const LIMITS = {
  LOCKOUT_MAX_FAILURES: '3',
  LOCKOUT_SECONDS: '1800',
  LOCKOUT_MAX_SECONDS: '7200',
  LOCKOUT_BLOCK_FAILURES: '7',
  MFA_LOCKOUT_MAX_FAILURES: '3',
  MFA_LOCKOUT_SECONDS: '1800',
  MFA_LOCKOUT_MAX_SECONDS: '7200',
  MFA_BLOCK_FAILURES: '6',
  LOCKOUT_FORGET_SECONDS: String(10 * 24 * 3600),
  LOGIN_RATE_LIMIT: '1000',
};

describe.each(TARGETS)('escalating lockouts on $name', ({ create }) => {
  const clock = midStepClock();

  const { server } = useServer(create, LIMITS, clock);

  const login = (ip: string, email: string, password: string, path = '/api/v1/auth/login') =>
    server.app.inject({ method: 'POST', url: path, remoteAddress: ip, payload: { email, password } });

  /** What a locked login answers, on both surfaces, with the right password. */
  async function lockState(ip: string, email: string) {
    const v1 = await login(ip, email, PASSWORD);
    const flat = await login(ip, email, PASSWORD, '/api/auth/login');
    expect(v1.statusCode).toBe(423);
    expect(flat.statusCode).toBe(423);
    const v1Error = JSON.parse(v1.body).error;
    const flatBody = JSON.parse(flat.body);
    expect(v1Error.code).toBe('ACCOUNT_LOCKED');
    expect(v1Error.message).toBe('Account locked');
    expect(flatBody).toEqual({ detail: 'Account locked', code: 'ACCOUNT_LOCKED', details: v1Error.details });
    return { details: v1Error.details, retryAfter: v1.headers['retry-after'] };
  }

  it('forgets a count below the first lockout after LOCKOUT_RESET_SECONDS, but keeps one that reached a lockout', async () => {
    const ip = uniqueIp();
    const email = uniqueEmail();
    await registerV1(caller(server, ip), email);
    for (let i = 0; i < 2; i++) expect((await login(ip, email, 'wrong')).statusCode).toBe(401);
    clock.advance(24 * 60 * MINUTE_MS + 1_000);
    // Forgotten: two more failures are not yet a lockout.
    for (let i = 0; i < 2; i++) expect((await login(ip, email, 'wrong')).statusCode).toBe(401);
    expect((await login(ip, email, PASSWORD)).statusCode).toBe(200);

    for (let i = 0; i < 3; i++) expect((await login(ip, email, 'wrong')).statusCode).toBe(401);
    clock.advance(30 * MINUTE_MS + 24 * 60 * MINUTE_MS + 1_000);
    // Kept: the lockout is over, but the next failure locks again, for twice as long.
    expect((await login(ip, email, 'wrong')).statusCode).toBe(401);
    expect(await lockState(ip, email)).toEqual({
      details: { reason: 'temporary', retryAfterSeconds: 3600 },
      retryAfter: '3600',
    });
  });

  it('doubles each lockout after the first, up to the cap, and blocks at the limit until an operator unlocks', async () => {
    const ip = uniqueIp();
    const email = uniqueEmail();
    await registerV1(caller(server, ip), email);
    for (let i = 0; i < 3; i++) expect((await login(ip, email, 'wrong')).statusCode).toBe(401);
    expect(await lockState(ip, email)).toEqual({
      details: { reason: 'temporary', retryAfterSeconds: 1800 },
      retryAfter: '1800',
    });

    // The count survives the lockout: one more failure locks again, each time twice as long, capped.
    for (const [waitedMinutes, nextSeconds] of [
      [30, 3600],
      [60, 7200],
      [120, 7200],
    ] as const) {
      clock.advance(waitedMinutes * MINUTE_MS - 1_000);
      expect((await lockState(ip, email)).details).toEqual({ reason: 'temporary', retryAfterSeconds: 1 });
      clock.advance(1_000);
      expect((await login(ip, email, 'wrong')).statusCode).toBe(401);
      expect(await lockState(ip, email)).toEqual({
        details: { reason: 'temporary', retryAfterSeconds: nextSeconds },
        retryAfter: String(nextSeconds),
      });
    }

    // The seventh consecutive failure blocks the password: no Retry-After, however long one waits.
    clock.advance(120 * MINUTE_MS);
    expect((await login(ip, email, 'wrong')).statusCode).toBe(401);
    expect(await lockState(ip, email)).toEqual({ details: { reason: 'blocked' }, retryAfter: undefined });
    // Longer than LOCKOUT_FORGET_SECONDS: a block is kept until an operator unlocks.
    clock.advance(30 * 24 * 60 * MINUTE_MS);
    expect((await lockState(ip, email)).details).toEqual({ reason: 'blocked' });

    await unlockAccount(server.core, email);
    expect((await login(ip, email, PASSWORD)).statusCode).toBe(200);
    // The unlock forgot the count: three more failures before a lockout of the first length.
    for (let i = 0; i < 3; i++) expect((await login(ip, email, 'wrong')).statusCode).toBe(401);
    expect((await lockState(ip, email)).details).toEqual({ reason: 'temporary', retryAfterSeconds: 1800 });
  });

  it('answers unknown e-mails exactly like known ones, blocked included', async () => {
    const ip = uniqueIp();
    const known = uniqueEmail();
    const unknown = uniqueEmail('ghost');
    await registerV1(caller(server, ip), known);
    const run = async (email: string) => {
      const answers: string[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await login(ip, email, 'wrong');
        answers.push(`${res.statusCode} ${res.body}`);
        const locked = await login(ip, email, 'wrong');
        answers.push(`${locked.statusCode} ${locked.body} ${locked.headers['retry-after']}`);
        clock.advance(2 * 60 * MINUTE_MS);
      }
      return answers;
    };
    const knownAnswers = await run(known);
    expect(await run(unknown)).toEqual(knownAnswers);
    expect(knownAnswers.at(-1)).toContain('"reason":"blocked"');
  });

  it('forgets a count LOCKOUT_FORGET_SECONDS after its last failure', async () => {
    const ip = uniqueIp();
    const email = uniqueEmail();
    await registerV1(caller(server, ip), email);
    for (let i = 0; i < 3; i++) expect((await login(ip, email, 'wrong')).statusCode).toBe(401);
    clock.advance(10 * 24 * 60 * MINUTE_MS - 1_000);
    // Not yet forgotten: the next failure brings the second lockout.
    expect((await login(ip, email, 'wrong')).statusCode).toBe(401);
    expect((await lockState(ip, email)).details).toEqual({ reason: 'temporary', retryAfterSeconds: 3600 });
    clock.advance(10 * 24 * 60 * MINUTE_MS);
    for (let i = 0; i < 2; i++) expect((await login(ip, email, 'wrong')).statusCode).toBe(401);
    expect((await login(ip, email, PASSWORD)).statusCode).toBe(200);
  });

  it('starts over after a success: the next lockout is the first one again', async () => {
    const ip = uniqueIp();
    const email = uniqueEmail();
    await registerV1(caller(server, ip), email);
    for (let i = 0; i < 3; i++) expect((await login(ip, email, 'wrong')).statusCode).toBe(401);
    clock.advance(30 * MINUTE_MS);
    expect((await login(ip, email, PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await login(ip, email, 'wrong')).statusCode).toBe(401);
    expect((await lockState(ip, email)).details).toEqual({ reason: 'temporary', retryAfterSeconds: 1800 });
  });

  it('escalates wrong codes at the second login step on their own count, and blocks them', async () => {
    const ip = uniqueIp();
    const client = caller(server, ip);
    const email = uniqueEmail();
    const { token } = await registerV1(client, email);
    const { app } = await enrolTwoFactor(client, token, clock);
    const pending = async () => (await login(ip, email, PASSWORD)).json().data.pendingToken as string;
    const verify = async (code: string) =>
      client.post('/api/v1/auth/verify-2fa', { pendingToken: await pending(), code });
    const wrong = app.code(3);
    for (let i = 0; i < 3; i++) expect((await verify(wrong)).status).toBe(401);
    const locked = await verify(app.code());
    expect(locked.status).toBe(423);
    expect(locked.body.error).toEqual({
      code: 'MFA_LOCKED',
      message: 'Two-factor verification locked after too many wrong codes',
      details: { reason: 'temporary', retryAfterSeconds: 1800 },
    });
    for (const nextSeconds of [3600, 7200]) {
      clock.advance(2 * 60 * MINUTE_MS);
      expect((await verify(app.code(3))).status).toBe(401);
      expect((await verify(app.code())).body.error.details).toEqual({
        reason: 'temporary',
        retryAfterSeconds: nextSeconds,
      });
    }
    clock.advance(2 * 60 * MINUTE_MS);
    expect((await verify(app.code(3))).status).toBe(401);
    const blocked = await verify(app.code());
    expect(blocked.status).toBe(423);
    expect(blocked.headers['retry-after']).toBeUndefined();
    expect(blocked.body.error.details).toEqual({ reason: 'blocked' });
    // The password is its own count: it still works, and only the second step is blocked.
    expect((await login(ip, email, PASSWORD)).statusCode).toBe(200);

    await unlockAccount(server.core, email);
    expect((await verify(app.code())).status).toBe(200);
  });
});

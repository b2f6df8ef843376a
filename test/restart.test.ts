import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caller, PASSWORD, registerV1 } from './helpers/api.js';
import { startServer, uniqueEmail, type TestServer } from './helpers/server.js';
import { embeddedTarget, type StorageTarget } from './helpers/targets.js';

function kidsOf(server: TestServer): string[] {
  return server.core.keys
    .jwks()
    .keys.map((k) => k.kid)
    .sort();
}

// The embedded default, as `latchkey serve` runs it with nothing configured but DATA_DIR: no
// LATCHKEY_SECRET, so the secret is generated into the folder on first start.
describe('restarting the embedded default on the same DATA_DIR', () => {
  let target: StorageTarget;
  let running: TestServer | undefined;

  beforeEach(() => {
    target = embeddedTarget();
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await target.dispose();
  });

  async function start(env: Record<string, string> = {}): Promise<TestServer> {
    running = await startServer(target, env);
    return running;
  }

  async function restart(env: Record<string, string> = {}): Promise<TestServer> {
    await running?.close();
    running = undefined;
    return start(env);
  }

  it('keeps revocations, sessions, users and signing keys, and the generated secret is private', async () => {
    expect(target.env.LATCHKEY_SECRET).toBeUndefined();
    const first = await start();
    expect(first.config.secret).toBeUndefined();
    const email = uniqueEmail();
    const loggedOut = await registerV1(caller(first), email);
    const kept = (await caller(first).post('/api/v1/auth/login', { email, password: PASSWORD })).body.data;
    expect((await caller(first).post('/api/v1/auth/logout', undefined, loggedOut.token)).status).toBe(200);
    const kidsBefore = kidsOf(first);
    const jwksBefore = (await caller(first).get('/.well-known/jwks.json')).body;

    const second = await restart();
    const revoked = await caller(second).get('/api/v1/auth/me', loggedOut.token);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('TOKEN_REVOKED');
    expect(
      (await caller(second).post('/api/v1/auth/refresh', { refreshToken: loggedOut.refreshToken })).body.error.code,
    ).toBe('SESSION_REVOKED');

    const me = await caller(second).get('/api/v1/auth/me', kept.token);
    expect(me.status).toBe(200);
    expect(me.body.data.user.email).toBe(email);
    expect((await caller(second).post('/api/v1/auth/refresh', { refreshToken: kept.refreshToken })).status).toBe(200);

    const login = await caller(second).post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);

    expect(kidsOf(second)).toEqual(kidsBefore);
    expect((await caller(second).get('/.well-known/jwks.json')).body).toEqual(jwksBefore);

    const secretFile = join(target.env.DATA_DIR!, 'secret.key');
    expect(existsSync(secretFile)).toBe(true);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
  });

  it('keeps a lockout and the IP rate limit across the restart', async () => {
    const env = { LOCKOUT_MAX_FAILURES: '2', LOGIN_RATE_LIMIT: '4' };
    const first = await start(env);
    const email = uniqueEmail();
    const ip = '198.51.100.7';
    await registerV1(caller(first, '198.51.100.8'), email);
    for (let i = 0; i < 2; i++)
      expect((await caller(first, ip).post('/api/v1/auth/login', { email, password: 'x' })).status).toBe(401);

    const second = await restart(env);
    const locked = await caller(second, '198.51.100.9').post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('ACCOUNT_LOCKED');
    // Two attempts from this address before the restart: two more are allowed, the fifth is refused.
    expect(
      (await caller(second, ip).post('/api/v1/auth/login', { email: uniqueEmail('ghost'), password: 'x' })).status,
    ).toBe(401);
    expect(
      (await caller(second, ip).post('/api/v1/auth/login', { email: uniqueEmail('ghost'), password: 'x' })).status,
    ).toBe(401);
    const limited = await caller(second, ip).post('/api/v1/auth/login', { email: uniqueEmail('ghost'), password: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
  });

  it('refuses a token signed before the restart once the data folder (and its secret) is replaced', async () => {
    const first = await start();
    const login = await registerV1(caller(first), uniqueEmail());
    await running?.close();
    running = undefined;
    await target.dispose();
    target = embeddedTarget();
    const other = await start();
    // A new folder means a new secret and new keys: the old token's kid is unknown here.
    expect(kidsOf(other)).not.toEqual(kidsOf(first));
    const res = await caller(other).get('/api/v1/auth/me', login.token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_TOKEN');
  });
});

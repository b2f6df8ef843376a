import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, PASSWORD, registerV1, type Caller } from './helpers/api.js';
import { manualClock, type ManualClock } from './helpers/clock.js';
import { startServer, uniqueEmail, type TestServer } from './helpers/server.js';
import { TARGETS, type StorageTarget } from './helpers/targets.js';

const MINUTE_MS = 60_000;
const LOCKOUT_AFTER = 5; // LOCKOUT_MAX_FAILURES's default

// Actions that outlast the session: each must refuse a session whose login is too old. `fresh` is
// what a fresh login gets (replacing recovery codes then fails on its own rule: 2FA is off).
const OUTLASTING_ACTIONS = [
  {
    name: 'create a personal access token (v1)',
    path: '/api/v1/tokens',
    body: { name: 'ci', scopes: ['agents:read'] },
    fresh: 201,
  },
  { name: 'generate an ingest API key (flat)', path: '/api/settings/api-key', body: {}, fresh: 201 },
  { name: 'begin 2FA setup (v1)', path: '/api/v1/auth/2fa/setup', body: undefined, fresh: 200 },
  { name: 'begin MFA setup (flat)', path: '/api/auth/mfa/setup', body: undefined, fresh: 200 },
  {
    name: 'replace recovery codes (v1)',
    path: '/api/v1/auth/2fa/recovery-codes',
    body: { code: '123456' },
    fresh: 400,
  },
  { name: 'replace recovery codes (flat)', path: '/api/auth/mfa/recovery-codes', body: { code: '123456' }, fresh: 400 },
];

describe.each(TARGETS)('actions that need a recent login, on $name', ({ create }) => {
  let target: StorageTarget;
  let server: TestServer;
  let clock: ManualClock;

  beforeAll(async () => {
    target = await create();
    clock = manualClock();
    server = await startServer(target, {}, clock);
  });
  afterAll(async () => {
    await server?.close();
    await target?.dispose();
  });

  /** A user whose login is 16 minutes old, holding a fresh access token got by refreshing. */
  async function staleSession(): Promise<{ client: Caller; email: string; token: string; refreshToken: string }> {
    const client = caller(server);
    const email = uniqueEmail();
    const login = await registerV1(client, email);
    clock.advance(10 * MINUTE_MS);
    const refreshed = await client.post('/api/v1/auth/refresh', { refreshToken: login.refreshToken });
    expect(refreshed.status).toBe(200);
    clock.advance(6 * MINUTE_MS);
    return { client, email, token: refreshed.body.data.token, refreshToken: refreshed.body.data.refreshToken };
  }

  it.each(OUTLASTING_ACTIONS)(
    'refuses to $name for a session whose login is older than 15 minutes, with an RFC 9470 challenge',
    async ({ path, body }) => {
      const { client, token } = await staleSession();
      // The token itself is good: ordinary requests go through.
      expect((await client.get('/api/v1/auth/me', token)).status).toBe(200);
      const refused = await client.post(path, body, token);
      expect(refused.status).toBe(401);
      const code = path.startsWith('/api/v1') ? refused.body.error.code : refused.body.code;
      expect(code).toBe('RECENT_LOGIN_REQUIRED');
      expect(refused.headers['www-authenticate']).toMatch(
        /^Bearer realm="latchkey", error="insufficient_user_authentication", error_description="[^"]+", max_age=900$/,
      );
    },
  );

  it.each(OUTLASTING_ACTIONS)('lets the user $name after logging in again', async ({ path, body, fresh }) => {
    const { client, email } = await staleSession();
    const again = await client.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(again.status).toBe(200);
    expect((await client.post(path, body, again.body.data.token)).status).toBe(fresh);
  });

  it.each(OUTLASTING_ACTIONS)(
    'lets the user $name after re-authenticating in place (step-up), which replaces the session',
    async ({ path, body, fresh }) => {
      const { client, token, refreshToken } = await staleSession();
      const v1 = path.startsWith('/api/v1');
      const stepUp = v1
        ? await client.post('/api/v1/auth/reauthenticate', { password: PASSWORD }, token)
        : await client.post('/api/auth/reauthenticate', { password: PASSWORD }, token);
      expect(stepUp.status).toBe(200);
      const renewed = v1 ? stepUp.body.data.token : stepUp.body.access_token;
      expect((await client.post(path, body, renewed)).status).toBe(fresh);
      // The old session is over: its tokens stop at once.
      expect((await client.get('/api/v1/auth/me', token)).body.error.code).toBe('TOKEN_REVOKED');
      expect((await client.post('/api/v1/auth/refresh', { refreshToken })).body.error.code).toBe('SESSION_REVOKED');
    },
  );

  it('re-authenticates only with the right password, counted towards the account lockout', async () => {
    const { client, email, token } = await staleSession();
    const stepUp = (password: string) => client.post('/api/v1/auth/reauthenticate', { password }, token);
    const wrong = await stepUp('not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toEqual({ code: 'INVALID_CREDENTIALS', message: 'Invalid password' });
    // The session it was tried with goes on.
    expect((await client.get('/api/v1/auth/me', token)).status).toBe(200);
    for (let i = 1; i < LOCKOUT_AFTER; i++) expect((await stepUp('not the password')).status).toBe(401);
    expect((await stepUp(PASSWORD)).status).toBe(423);
    await server.core.limits.clearFailures(email);
    expect((await stepUp(PASSWORD)).status).toBe(200);
  });

  it('refuses a personal access token there as it always did, whatever its age', async () => {
    const client = caller(server);
    const login = await registerV1(client, uniqueEmail());
    const pat = (await client.post('/api/v1/tokens', { name: 'ci', scopes: ['agents:read'] }, login.token)).body.data
      .token;
    const refused = await client.post('/api/v1/tokens', { name: 'again', scopes: ['agents:read'] }, pat);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('SESSION_TOKEN_REQUIRED');
  });

  it('carries the login time through refreshes on both surfaces (auth_time never moves forward)', async () => {
    const client = caller(server);
    const email = uniqueEmail();
    await registerV1(client, email);
    const flat = await client.post('/api/auth/login', { email, password: PASSWORD });
    clock.advance(16 * MINUTE_MS);
    const refreshed = await client.post('/api/auth/refresh', { refresh_token: flat.body.refresh_token });
    expect(refreshed.status).toBe(200);
    const refused = await client.post('/api/settings/api-key', {}, refreshed.body.access_token);
    expect(refused.body.code).toBe('RECENT_LOGIN_REQUIRED');
  });
});

describe('a login stamped by an instance whose clock runs ahead', () => {
  let target: StorageTarget;
  let ahead: TestServer;
  let behind: TestServer;
  const aheadClock = manualClock();
  const behindClock = manualClock();

  beforeAll(async () => {
    target = await TARGETS[0].create();
    aheadClock.advance(20_000);
    ahead = await startServer(target, {}, aheadClock);
    behind = await startServer(target, {}, behindClock);
  });
  afterAll(async () => {
    await behind?.close();
    await ahead?.close();
    await target?.dispose();
  });

  it('still yields access tokens every instance accepts when refreshed on the one behind', async () => {
    const login = await registerV1(caller(ahead), uniqueEmail());
    const refreshed = await caller(behind).post('/api/v1/auth/refresh', { refreshToken: login.refreshToken });
    expect(refreshed.status).toBe(200);
    for (const server of [ahead, behind])
      expect((await caller(server).get('/api/v1/auth/me', refreshed.body.data.token)).status).toBe(200);
  });
});

describe('RECENT_LOGIN_MAX_AGE_SECONDS', () => {
  let target: StorageTarget;
  let server: TestServer;
  let clock: ManualClock;

  beforeAll(async () => {
    target = await TARGETS[0].create();
    clock = manualClock();
    server = await startServer(target, { RECENT_LOGIN_MAX_AGE_SECONDS: '3600' }, clock);
  });
  afterAll(async () => {
    await server?.close();
    await target?.dispose();
  });

  it('sets how old a login may be', async () => {
    const client = caller(server);
    const login = await registerV1(client, uniqueEmail());
    clock.advance(50 * MINUTE_MS);
    const refreshed = await client.post('/api/v1/auth/refresh', { refreshToken: login.refreshToken });
    const created = await client.post(
      '/api/v1/tokens',
      { name: 'ci', scopes: ['agents:read'] },
      refreshed.body.data.token,
    );
    expect(created.status).toBe(201);
    clock.advance(11 * MINUTE_MS);
    const again = await client.post('/api/v1/auth/refresh', { refreshToken: refreshed.body.data.refreshToken });
    const refused = await client.post('/api/v1/tokens', { name: 'ci', scopes: ['agents:read'] }, again.body.data.token);
    expect(refused.body.error.code).toBe('RECENT_LOGIN_REQUIRED');
    expect(refused.headers['www-authenticate']).toMatch(/max_age=3600$/);
  });
});

import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/digests.js';
import { caller, PASSWORD, registerV1 } from './helpers/api.js';
import { startServer, useServer, uniqueEmail } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';

describe.each(TARGETS)('auth flows on $name', ({ create }) => {
  const { server, target } = useServer(create, { LOCKOUT_MAX_FAILURES: '3', LOGIN_RATE_LIMIT: '6' });

  describe('login', () => {
    it('answers the v1 body exactly as documented', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      await registerV1(client, email);
      const res = await client.post('/api/v1/auth/login', { email: email.toUpperCase(), password: PASSWORD });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.data).sort()).toEqual(['refreshToken', 'token', 'user']);
      expect(res.body.success).toBe(true);
      expect(res.body.data.user).toEqual({
        id: expect.stringMatching(/^user_[0-9a-f]{24}$/),
        email,
        role: 'USER',
        plan: 'STARTER',
      });
      expect(res.headers['cache-control']).toBe('no-store');
      // Another spelling of the same path reaches the same handler, and is not cached either.
      const encoded = await server.app.inject({
        method: 'POST',
        url: '/%61pi/v1/auth/login',
        // Its own address: 127.0.0.1's login budget is shared with other files on one Redis.
        remoteAddress: client.ip,
        payload: { email, password: PASSWORD },
      });
      expect(encoded.statusCode).toBe(200);
      expect(encoded.headers['cache-control']).toBe('no-store');
    });

    it('answers the flat body with token_type bearer and expires_in', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      await registerV1(client, email);
      const res = await client.post('/api/auth/login', { email, password: PASSWORD });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 900,
      });
      const me = await client.get('/api/auth/me', res.body.access_token);
      expect(me.status).toBe(200);
      expect(me.body.email).toBe(email);
    });

    it('gives unknown e-mail and wrong password the same 401', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      await registerV1(client, email);
      const wrong = await client.post('/api/v1/auth/login', { email, password: 'not the password' });
      const unknown = await client.post('/api/v1/auth/login', {
        email: uniqueEmail('ghost'),
        password: 'not the password',
      });
      for (const res of [wrong, unknown]) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({
          success: false,
          error: { code: 'INVALID_CREDENTIALS', message: 'Invalid email or password' },
        });
      }
      const flat = await client.post('/api/auth/login', { email, password: 'nope' });
      expect(flat.body).toEqual({ detail: 'Invalid email or password', code: 'INVALID_CREDENTIALS' });
    });
  });

  describe('the guard', () => {
    it('refuses a missing or malformed header with No bearer token and an RFC 6750 challenge', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      for (const authorization of [undefined, token, `bearer ${token}`, `Basic ${token}`, 'Bearer ']) {
        const res = await server.app.inject({
          method: 'GET',
          url: '/api/v1/agents',
          headers: authorization ? { authorization } : {},
        });
        expect(res.statusCode).toBe(401);
        expect(JSON.parse(res.body).error).toEqual({ code: 'NO_BEARER_TOKEN', message: 'No bearer token' });
        expect(res.headers['www-authenticate']).toBe('Bearer realm="latchkey"');
      }
      const flat = await client.get('/api/voicelogs');
      expect(flat.body).toEqual({ detail: 'No bearer token', code: 'NO_BEARER_TOKEN' });
    });

    it('refuses garbage as an invalid token with error="invalid_token"', async () => {
      const res = await caller(server).get('/api/v1/agents', 'not.a.jwt');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('INVALID_TOKEN');
      expect(res.headers['www-authenticate']).toMatch(
        /^Bearer realm="latchkey", error="invalid_token", error_description="/,
      );
    });

    it('tells a client that sent its refresh token as a bearer where it goes', async () => {
      const client = caller(server);
      const { refreshToken } = await registerV1(client, uniqueEmail());
      const res = await client.get('/api/v1/agents', refreshToken);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('REFRESH_TOKEN_AS_BEARER');
      expect(res.body.error.message).toMatch(/body of \/auth\/refresh/);
    });

    it('opens the protected routes and /me to a valid token', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      const { token, user } = await registerV1(client, email);
      expect((await client.get('/api/v1/agents', token)).body).toEqual({ success: true, data: [] });
      expect((await client.get('/api/voicelogs', token)).status).toBe(200);
      expect((await client.get('/api/v1/auth/me', token)).body.data.user).toEqual({
        ...user,
        emailVerified: false,
        twoFactorEnabled: false,
      });
    });
  });

  describe('refresh', () => {
    it('v1 rotates: a new pair, and the old refresh token is spent', async () => {
      const client = caller(server);
      const first = await registerV1(client, uniqueEmail());
      const res = await client.post('/api/v1/auth/refresh', { refreshToken: first.refreshToken });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.data).sort()).toEqual(['refreshToken', 'token']);
      expect(res.body.data.refreshToken).not.toBe(first.refreshToken);
      expect((await client.get('/api/v1/auth/me', res.body.data.token)).status).toBe(200);
      const next = await client.post('/api/v1/auth/refresh', { refreshToken: res.body.data.refreshToken });
      expect(next.status).toBe(200);
    });

    it('flat keeps the refresh token of a flat session valid and unspent, and answers {access_token, token_type}', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      await registerV1(client, email);
      const login = (await client.post('/api/auth/login', { email, password: PASSWORD })).body;
      for (let i = 0; i < 2; i++) {
        const res = await client.post('/api/auth/refresh', { refresh_token: login.refresh_token });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 900 });
        expect(res.body.refresh_token).toBeUndefined();
      }
      const stored = await server.core.stores.sessions.findRefreshToken(sha256Hex(decodeJwt(login.refresh_token).jti!));
      expect(stored?.usedAt).toBeNull();
    });

    it('rotates a v1 session on the flat surface too, so reuse detection cannot be bypassed there', async () => {
      const client = caller(server);
      const login = await registerV1(client, uniqueEmail());
      const res = await client.post('/api/auth/refresh', { refresh_token: login.refreshToken });
      expect(res.status).toBe(200);
      expect(res.body.refresh_token).toEqual(expect.any(String));
      expect(res.body.refresh_token).not.toBe(login.refreshToken);
      const spent = await server.core.stores.sessions.findRefreshToken(sha256Hex(decodeJwt(login.refreshToken).jti!));
      expect(spent?.usedAt).not.toBeNull();
    });

    it('refuses garbage and an access token in place of a refresh token', async () => {
      const client = caller(server);
      const login = await registerV1(client, uniqueEmail());
      for (const refreshToken of ['garbage', login.token]) {
        const res = await client.post('/api/v1/auth/refresh', { refreshToken });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('INVALID_REFRESH_TOKEN');
      }
    });
  });

  describe('logout', () => {
    it('revokes the access token at once and the session refresh tokens with it (v1)', async () => {
      const client = caller(server);
      const login = await registerV1(client, uniqueEmail());
      const res = await client.post('/api/v1/auth/logout', undefined, login.token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true, data: { message: 'Logged out' } });
      const after = await client.get('/api/v1/agents', login.token);
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe('TOKEN_REVOKED');
      const refresh = await client.post('/api/v1/auth/refresh', { refreshToken: login.refreshToken });
      expect(refresh.status).toBe(401);
      expect(refresh.body.error.code).toBe('SESSION_REVOKED');
    });

    it('works the same on the flat surface', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      await registerV1(client, email);
      const login = (await client.post('/api/auth/login', { email, password: PASSWORD })).body;
      expect((await client.post('/api/auth/logout', undefined, login.access_token)).status).toBe(200);
      const after = await client.get('/api/voicelogs', login.access_token);
      expect(after.body).toEqual({ detail: expect.any(String), code: 'TOKEN_REVOKED' });
      expect((await client.post('/api/auth/refresh', { refresh_token: login.refresh_token })).body.code).toBe(
        'SESSION_REVOKED',
      );
    });

    it('leaves the same user’s other sessions alone', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      const first = await registerV1(client, email);
      const second = (await client.post('/api/v1/auth/login', { email, password: PASSWORD })).body.data;
      await client.post('/api/v1/auth/logout', undefined, first.token);
      expect((await client.get('/api/v1/agents', second.token)).status).toBe(200);
    });
  });

  describe('registration', () => {
    it('treats e-mail as unique case-insensitively', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      await registerV1(client, email);
      const again = await client.post('/api/v1/auth/register', { email: email.toUpperCase(), password: PASSWORD });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('EMAIL_TAKEN');
    });

    it('is off in production unless REGISTRATION_ENABLED says otherwise', async () => {
      const production = { LATCHKEY_ENV: 'production', LATCHKEY_SECRET: 'a-production-secret-of-at-least-32-chars' };
      const closed = await startServer(target, production);
      const opened = await startServer(target, { ...production, REGISTRATION_ENABLED: 'true' });
      try {
        const refused = await caller(closed).post('/api/auth/register', { email: uniqueEmail(), password: PASSWORD });
        expect(refused.status).toBe(403);
        expect(refused.body.code).toBe('REGISTRATION_DISABLED');
        expect((await caller(closed).get('/api/v1/auth/features')).body.data.registrationEnabled).toBe(false);
        expect(
          (await caller(opened).post('/api/auth/register', { email: uniqueEmail(), password: PASSWORD })).status,
        ).toBe(201);
      } finally {
        await closed.close();
        await opened.close();
      }
    });

    it('enforces the password length policy with its own code', async () => {
      const res = await caller(server).post('/api/v1/auth/register', { email: uniqueEmail(), password: 'short' });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ code: 'WEAK_PASSWORD', message: 'Password must be 8 to 128 characters' });
    });
  });

  describe('bad input never yields a 500', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['bad JSON', { payload: '{"email":', headers: { 'content-type': 'application/json' } }],
      ['empty JSON body', { payload: '', headers: { 'content-type': 'application/json' } }],
      ['missing fields', { payload: {} }],
      ['wrong types', { payload: { email: 42, password: ['x'] } }],
      ['an oversized body', { payload: { email: 'a@b.co', password: 'x'.repeat(70_000) } }],
      ['a form body', { payload: 'email=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
      [
        'a __proto__ key',
        {
          payload: '{"email":"a@b.co","password":"x","__proto__":{"admin":true}}',
          headers: { 'content-type': 'application/json' },
        },
      ],
    ];
    it.each(cases)('answers %s with a 4xx in each surface’s shape', async (_name, request) => {
      for (const url of ['/api/v1/auth/login', '/api/auth/login']) {
        const res = await server.app.inject({ method: 'POST', url, remoteAddress: '192.0.2.1', ...request });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        const body = JSON.parse(res.body);
        if (url.startsWith('/api/v1')) {
          expect(body.success).toBe(false);
          expect(body.error.code).toMatch(/^[A-Z_]+$/);
        } else {
          expect(body.code).toMatch(/^[A-Z_]+$/);
          expect(typeof body.detail).toBe('string');
        }
        expect(res.body).not.toMatch(/at .+\.(js|ts):\d+/);
      }
    });

    it('refuses NUL characters in the path, query or body with a 400, never a 500', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const requests = [
        client.get('/api/v1/agents/agent_%00', token),
        client.get('/api/v1/agents?limit=1%00', token),
        client.post('/api/v1/agents', { name: 'a\u0000b' }, token),
        client.post('/api/v1/tokens', { name: 'x\u0000', scopes: ['agents:read'] }, token),
        client.post('/api/auth/login', { email: 'a@b.co', password: 'pass\u0000word' }),
      ];
      for (const res of await Promise.all(requests)) {
        expect(res.status).toBe(400);
        expect(JSON.stringify(res.body)).toContain('VALIDATION_FAILED');
      }
    });

    it('names the missing field', async () => {
      const res = await caller(server).post('/api/auth/login', { email: 'a@b.co' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: expect.stringMatching(/^password: /), code: 'VALIDATION_FAILED' });
    });

    it('answers unknown routes with 404 in the surface’s shape', async () => {
      const v1 = await caller(server).get('/api/v1/nope');
      expect(v1.status).toBe(404);
      expect(v1.body.error.code).toBe('ROUTE_NOT_FOUND');
      const flat = await caller(server).get('/api/nope');
      expect(flat.body.code).toBe('ROUTE_NOT_FOUND');
    });
  });

  describe('operations', () => {
    it('reports health of the database and kv store', async () => {
      const res = await caller(server).get('/healthz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', database: 'ok', kv: 'ok' });
    });

    it('publishes the verification keys without private parts', async () => {
      const res = await caller(server).get('/.well-known/jwks.json');
      expect(res.body.keys.length).toBeGreaterThan(0);
      for (const key of res.body.keys) {
        expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: expect.any(String) });
        expect(key.d).toBeUndefined();
      }
    });

    it('writes audit events for login success, failure, lockout, refresh and logout without secrets', async () => {
      const email = uniqueEmail();
      const client = caller(server);
      const login = await registerV1(client, email);
      await client.post('/api/v1/auth/login', { email, password: 'wrong-password' });
      await client.post('/api/v1/auth/refresh', { refreshToken: login.refreshToken });
      await client.post('/api/v1/auth/logout', undefined, login.token);
      const events = await server.core.stores.audit.listForUser(login.user.id, 20);
      const types = events.map((e) => e.type);
      expect(types).toEqual(
        expect.arrayContaining(['user_registered', 'login_succeeded', 'login_failed', 'refresh', 'logout']),
      );
      for (const event of events) {
        expect(event.ip).toBe(client.ip);
        const serialized = JSON.stringify(event);
        expect(serialized).not.toContain(PASSWORD);
        expect(serialized).not.toContain(login.refreshToken.split('.')[2]);
      }
    });
  });
});

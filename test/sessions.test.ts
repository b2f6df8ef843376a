import { describe, expect, it } from 'vitest';
import { caller, PASSWORD, registerV1 } from './helpers/api.js';
import { manualClock } from './helpers/clock.js';
import { startServer, useServer, uniqueEmail, uniqueIp } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';

const COOKIE_MODE = { 'x-refresh-token-mode': 'cookie' };

function refreshCookie(setCookie: string | string[] | number | undefined): string {
  const header = [setCookie].flat().find((c) => String(c).startsWith('latchkey_refresh='));
  if (!header) throw new Error('no refresh cookie was set');
  return String(header);
}

describe.each(TARGETS)('sessions and the refresh cookie on $name', ({ create }) => {
  const { server, target } = useServer(create, { LOGIN_RATE_LIMIT: '1000' });

  describe('the sessions list', () => {
    it('lists the signed-in devices with this one marked, on both surfaces', async () => {
      const email = uniqueEmail();
      const laptop = await registerV1(caller(server), email);
      const phone = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '198.51.100.7',
        headers: { 'user-agent': 'PhoneApp/1.0' },
        payload: { email, password: PASSWORD },
      });
      const v1 = await caller(server).get('/api/v1/auth/sessions', laptop.token);
      expect(v1.status).toBe(200);
      expect(v1.body.data).toHaveLength(2);
      const phoneEntry = v1.body.data.find((s: { current: boolean }) => !s.current);
      expect(phoneEntry).toEqual({
        id: expect.stringMatching(/^sess_/),
        ip: '198.51.100.7',
        userAgent: 'PhoneApp/1.0',
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        current: false,
      });
      const flat = await caller(server).get('/api/auth/sessions', JSON.parse(phone.body).data.token);
      expect(flat.body.items.find((s: { current: boolean }) => s.current).user_agent).toBe('PhoneApp/1.0');
    });

    it('revokes one session: its access and refresh tokens stop at once, the others keep working', async () => {
      const email = uniqueEmail();
      const mine = await registerV1(caller(server), email);
      const other = (await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).body.data;
      const list = (await caller(server).get('/api/v1/auth/sessions', mine.token)).body.data;
      const target = list.find((s: { current: boolean }) => !s.current);
      const res = await server.app.inject({
        method: 'DELETE',
        url: `/api/v1/auth/sessions/${target.id}`,
        headers: { authorization: `Bearer ${mine.token}` },
      });
      expect(res.statusCode).toBe(200);
      expect((await caller(server).get('/api/v1/agents', other.token)).body.error.code).toBe('TOKEN_REVOKED');
      expect(
        (await caller(server).post('/api/v1/auth/refresh', { refreshToken: other.refreshToken })).body.error.code,
      ).toBe('SESSION_REVOKED');
      expect((await caller(server).get('/api/v1/agents', mine.token)).status).toBe(200);
      const audit = await server.core.stores.audit.listByType('session_revoked', 50);
      expect(audit.some((e) => e.details?.sessionId === target.id)).toBe(true);
    });

    it('keeps a session listed as long as it is refreshed, past the first refresh token’s lifetime', async () => {
      const clock = manualClock();
      const timed = await startServer(target, { LOGIN_RATE_LIMIT: '1000' }, clock);
      try {
        let login = await registerV1(caller(timed), uniqueEmail());
        // Refresh every 6 days: each refresh token lives 7, the session goes on.
        for (let i = 0; i < 3; i++) {
          clock.advance(6 * 24 * 3600 * 1000);
          const res = await caller(timed).post('/api/v1/auth/refresh', { refreshToken: login.refreshToken });
          expect(res.status).toBe(200);
          login = { ...login, token: res.body.data.token, refreshToken: res.body.data.refreshToken };
        }
        const listed = await caller(timed).get('/api/v1/auth/sessions', login.token);
        expect(listed.body.data).toHaveLength(1);
        expect(listed.body.data[0].current).toBe(true);
      } finally {
        await timed.close();
      }
    });

    it('will not revoke another user’s session', async () => {
      const alice = await registerV1(caller(server), uniqueEmail('alice'));
      const bob = await registerV1(caller(server), uniqueEmail('bob'));
      const bobSession = (await caller(server).get('/api/v1/auth/sessions', bob.token)).body.data[0].id;
      const res = await server.app.inject({
        method: 'DELETE',
        url: `/api/auth/sessions/${bobSession}`,
        headers: { authorization: `Bearer ${alice.token}` },
      });
      expect(res.statusCode).toBe(404);
      expect((await caller(server).get('/api/v1/agents', bob.token)).status).toBe(200);
    });

    it('signs out everywhere, this session included', async () => {
      const email = uniqueEmail();
      const first = await registerV1(caller(server), email);
      const second = (await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).body.data;
      const res = await server.app.inject({
        method: 'DELETE',
        url: '/api/v1/auth/sessions',
        headers: { authorization: `Bearer ${first.token}` },
      });
      expect(JSON.parse(res.body)).toEqual({ success: true, data: { revoked: 2 } });
      for (const token of [first.token, second.token])
        expect((await caller(server).get('/api/v1/agents', token)).status).toBe(401);
    });
  });

  describe('cookie mode', () => {
    it('puts the refresh token in an HttpOnly, SameSite=Strict cookie scoped to the refresh path, never in the body', async () => {
      const email = uniqueEmail();
      await registerV1(caller(server), email);
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: uniqueIp(),
        headers: COOKIE_MODE,
        payload: { email, password: PASSWORD },
      });
      expect(res.statusCode).toBe(200);
      const body = JSON.parse(res.body);
      expect(Object.keys(body.data).sort()).toEqual(['token', 'user']);
      const cookie = refreshCookie(res.headers['set-cookie']);
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Strict/);
      expect(cookie).toMatch(/; Path=\/api\/v1\/auth\/refresh/);
      expect(cookie).not.toMatch(/; Secure/); // plain http on loopback
    });

    it('refreshes from the cookie (rotating it), and refuses without the mode header', async () => {
      const email = uniqueEmail();
      await registerV1(caller(server), email);
      const login = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: COOKIE_MODE,
        payload: { email, password: PASSWORD },
      });
      const cookieValue = refreshCookie(login.headers['set-cookie']).split(';')[0]!;
      // Without the header (what a cross-site form could send), the cookie alone is not enough.
      const forged = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        headers: { cookie: cookieValue },
        payload: {},
      });
      expect(forged.statusCode).toBe(400);
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        headers: { ...COOKIE_MODE, cookie: cookieValue },
        payload: {},
      });
      expect(res.statusCode).toBe(200);
      expect(Object.keys(JSON.parse(res.body).data)).toEqual(['token']);
      expect(refreshCookie(res.headers['set-cookie']).split(';')[0]).not.toBe(cookieValue);
    });

    it('clears the cookie on logout and when the cookie no longer works', async () => {
      const email = uniqueEmail();
      await registerV1(caller(server), email);
      const login = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: COOKIE_MODE,
        payload: { email, password: PASSWORD },
      });
      const cookieValue = refreshCookie(login.headers['set-cookie']).split(';')[0]!;
      const token = JSON.parse(login.body).data.token;
      const logout = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: { ...COOKIE_MODE, authorization: `Bearer ${token}` },
      });
      expect(refreshCookie(logout.headers['set-cookie'])).toMatch(/Expires=Thu, 01 Jan 1970/);
      const stale = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        headers: { ...COOKIE_MODE, cookie: cookieValue },
        payload: {},
      });
      expect(stale.statusCode).toBe(401);
      expect(refreshCookie(stale.headers['set-cookie'])).toMatch(/Expires=Thu, 01 Jan 1970/);
      const none = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        headers: COOKIE_MODE,
        payload: {},
      });
      expect(JSON.parse(none.body).error.code).toBe('INVALID_REFRESH_TOKEN');
    });

    it('sets the cookie on sign-up and clears it when every session is ended', async () => {
      const email = uniqueEmail();
      const register = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        headers: COOKIE_MODE,
        payload: { email, password: PASSWORD },
      });
      expect(register.statusCode).toBe(201);
      expect(Object.keys(JSON.parse(register.body).data).sort()).toEqual(['token', 'user']);
      expect(refreshCookie(register.headers['set-cookie'])).toMatch(/; HttpOnly/);
      const token = JSON.parse(register.body).data.token;
      const endAll = await server.app.inject({
        method: 'DELETE',
        url: '/api/v1/auth/sessions',
        headers: { ...COOKIE_MODE, authorization: `Bearer ${token}` },
      });
      expect(endAll.statusCode).toBe(200);
      expect(refreshCookie(endAll.headers['set-cookie'])).toMatch(/Expires=Thu, 01 Jan 1970/);
    });

    it('refuses two refresh cookies (one tossed in from a sibling subdomain) without clearing the real one', async () => {
      const victim = uniqueEmail('victim');
      const attacker = uniqueEmail('attacker');
      await registerV1(caller(server), victim);
      await registerV1(caller(server), attacker);
      const cookieOf = async (email: string) => {
        const res = await server.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          headers: COOKIE_MODE,
          payload: { email, password: PASSWORD },
        });
        return refreshCookie(res.headers['set-cookie']).split(';')[0]!;
      };
      const [victimCookie, attackerCookie] = [await cookieOf(victim), await cookieOf(attacker)];
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        headers: { ...COOKIE_MODE, cookie: `${attackerCookie}; ${victimCookie}` },
        payload: {},
      });
      expect(res.statusCode).toBe(401);
      expect(res.headers['set-cookie']).toBeUndefined();
      const own = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        headers: { ...COOKIE_MODE, cookie: victimCookie },
        payload: {},
      });
      expect(own.statusCode).toBe(200);
    });

    it('reports whether sign-up is enabled', async () => {
      expect((await caller(server).get('/api/v1/auth/features')).body).toEqual({
        success: true,
        data: { registrationEnabled: true, email: true, emailVerification: 'optional' },
      });
    });
  });
});

import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/digests.js';
import { setUserDisabled } from '../src/core/users/users.js';
import { caller, PASSWORD, registerV1, type Caller } from './helpers/api.js';
import { manualClock, type ManualClock } from './helpers/clock.js';
import { startServer, uniqueEmail, type TestServer } from './helpers/server.js';
import { TARGETS, type StorageTarget } from './helpers/targets.js';

const GRACE_MS = 10_000;

/** Refresh-token rotation under concurrency and replay (RFC 9700 section 4.14.2). */
describe.each(TARGETS)('refresh rotation races on $name', ({ create }) => {
  let target: StorageTarget;
  let server: TestServer;
  let rotatingFlat: TestServer;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = manualClock();
    target = await create();
    server = await startServer(target, {}, clock);
    // A second instance over the same data, with the flat surface rotating as well.
    rotatingFlat = await startServer(target, { FLAT_REFRESH_ROTATION: 'true' }, clock);
  });
  afterAll(async () => {
    await server?.close();
    await rotatingFlat?.close();
    await target?.dispose();
  });

  const refreshV1 = (client: Caller, refreshToken: string) => client.post('/api/v1/auth/refresh', { refreshToken });

  function sessionOf(token: string): string {
    return decodeJwt(token).sid as string;
  }

  async function storedRefresh(on: TestServer, token: string) {
    return on.core.stores.sessions.findRefreshToken(sha256Hex(decodeJwt(token).jti as string));
  }

  async function refreshEventsFor(sessionId: string): Promise<number> {
    const events = await server.core.stores.audit.listByType('refresh', 1000);
    return events.filter((e) => e.details?.sessionId === sessionId).length;
  }

  describe('concurrent refreshes with one token', () => {
    it('all succeed inside the grace window and share exactly one successor', async () => {
      const client = caller(server);
      const login = await registerV1(client, uniqueEmail());
      const sessionId = sessionOf(login.token);
      const results = await Promise.all(Array.from({ length: 10 }, () => refreshV1(client, login.refreshToken)));

      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      const successors = new Set(results.map((r) => r.body.data.refreshToken as string));
      expect(successors.size).toBe(1);
      const [successor] = [...successors] as [string];
      expect(successor).not.toBe(login.refreshToken);
      expect(sessionOf(successor)).toBe(sessionId);
      // Only one request spent the token; the rest were answered from the recorded successor.
      expect(await refreshEventsFor(sessionId)).toBe(1);
      const spent = await storedRefresh(server, login.refreshToken);
      expect(spent?.usedAt).not.toBeNull();
      expect((await storedRefresh(server, successor))?.parentHash).toBe(spent?.idHash);

      // Every access token handed out works, and the session was not revoked.
      const accessTokens = new Set(results.map((r) => r.body.data.token as string));
      expect(accessTokens.size).toBe(10);
      for (const token of accessTokens) expect((await client.get('/api/v1/agents', token)).status).toBe(200);
      const next = await refreshV1(client, successor);
      expect(next.status).toBe(200);
      expect(next.body.data.refreshToken).not.toBe(successor);
    });

    it('races between two instances over the same data still mint one successor', async () => {
      const client = caller(server);
      const login = await registerV1(client, uniqueEmail());
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          refreshV1(caller(i % 2 === 0 ? server : rotatingFlat, client.ip), login.refreshToken),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(new Set(results.map((r) => r.body.data.refreshToken)).size).toBe(1);
      expect(await refreshEventsFor(sessionOf(login.token))).toBe(1);
    });
  });

  describe('replay of a spent token', () => {
    it('returns the same successor inside the grace window, then revokes the whole session', async () => {
      const client = caller(server);
      const login = await registerV1(client, uniqueEmail());
      const sessionId = sessionOf(login.token);
      const first = await refreshV1(client, login.refreshToken);
      expect(first.status).toBe(200);
      const successor = first.body.data.refreshToken as string;
      const liveAccess = first.body.data.token as string;

      clock.advance(GRACE_MS - 1_000);
      const replay = await refreshV1(client, login.refreshToken);
      expect(replay.status).toBe(200);
      expect(replay.body.data.refreshToken).toBe(successor);
      expect((await client.get('/api/v1/agents', replay.body.data.token)).status).toBe(200);

      clock.advance(2_000);
      const reused = await refreshV1(client, login.refreshToken);
      expect(reused.status).toBe(401);
      expect(reused.body.error.code).toBe('REFRESH_TOKEN_REUSED');

      const afterRevoke = await refreshV1(client, successor);
      expect(afterRevoke.status).toBe(401);
      expect(afterRevoke.body.error.code).toBe('SESSION_REVOKED');
      for (const token of [login.token, liveAccess, replay.body.data.token as string]) {
        const res = await client.get('/api/v1/agents', token);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('TOKEN_REVOKED');
      }
      expect((await server.core.stores.sessions.findSession(sessionId))?.revokedAt).not.toBeNull();

      const events = await server.core.stores.audit.listByType('refresh_reuse_detected', 1000);
      const event = events.find((e) => e.details?.sessionId === sessionId);
      expect(event).toMatchObject({ type: 'refresh_reuse_detected', userId: login.user.id, ip: client.ip });
      expect(JSON.stringify(event)).not.toContain(login.refreshToken.split('.')[2]);
    });

    /** A v1 refresh from a client of our choosing: its address and User-Agent. */
    async function refreshAs(client: { ip: string; userAgent: string }, refreshToken: string) {
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        remoteAddress: client.ip,
        headers: { 'user-agent': client.userAgent },
        payload: { refreshToken },
      });
      return { status: res.statusCode, body: JSON.parse(res.body) };
    }

    async function expectFamilyRevoked(sessionId: string, successor: string) {
      expect((await refreshV1(caller(server), successor)).body.error.code).toBe('SESSION_REVOKED');
      expect((await server.core.stores.sessions.findSession(sessionId))?.revokedAt).not.toBeNull();
      const events = await server.core.stores.audit.listByType('refresh_reuse_detected', 1000);
      expect(events.find((e) => e.details?.sessionId === sessionId)?.details).toMatchObject({
        reason: 'another client',
      });
    }

    it.each([
      ['another IP address', { ip: '198.51.100.7', userAgent: 'app/1.0' }],
      ['another User-Agent', { ip: '203.0.113.5', userAgent: 'curl/8.0' }],
      ['another IPv6 /64', { ip: '2001:db8:0:2::1', userAgent: 'app/1.0' }],
    ])('inside the grace window, treats a replay from %s as reuse and revokes the session', async (_, thief) => {
      const owner = { ip: thief.ip.includes(':') ? '2001:db8:0:1::1' : '203.0.113.5', userAgent: 'app/1.0' };
      const login = await registerV1(caller(server), uniqueEmail());
      const first = await refreshAs(owner, login.refreshToken);
      expect(first.status).toBe(200);

      clock.advance(1_000);
      const replay = await refreshAs(thief, login.refreshToken);
      expect(replay.status).toBe(401);
      expect(replay.body.error.code).toBe('REFRESH_TOKEN_REUSED');
      await expectFamilyRevoked(sessionOf(login.token), first.body.data.refreshToken);
    });

    it('inside the grace window, returns the successor to the same client from another address in its IPv6 /64', async () => {
      const login = await registerV1(caller(server), uniqueEmail());
      const first = await refreshAs({ ip: '2001:db8:0:7::1', userAgent: 'app/1.0' }, login.refreshToken);
      clock.advance(1_000);
      const retry = await refreshAs({ ip: '2001:db8:0:7:aaaa::2', userAgent: 'app/1.0' }, login.refreshToken);
      expect(retry.status).toBe(200);
      expect(retry.body.data.refreshToken).toBe(first.body.data.refreshToken);
    });

    it('revokes only the replayed session: the same user’s other sessions keep working', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      const victim = await registerV1(client, email);
      const other = (await client.post('/api/v1/auth/login', { email, password: PASSWORD })).body.data;
      expect((await refreshV1(client, victim.refreshToken)).status).toBe(200);
      clock.advance(GRACE_MS + 1_000);
      expect((await refreshV1(client, victim.refreshToken)).body.error.code).toBe('REFRESH_TOKEN_REUSED');
      expect((await client.get('/api/v1/agents', other.token)).status).toBe(200);
      expect((await refreshV1(client, other.refreshToken)).status).toBe(200);
    });

    it('detects reuse of a grandparent token after its successor was itself rotated', async () => {
      const client = caller(server);
      const login = await registerV1(client, uniqueEmail());
      const second = (await refreshV1(client, login.refreshToken)).body.data.refreshToken as string;
      const third = await refreshV1(client, second);
      expect(third.status).toBe(200);
      clock.advance(GRACE_MS + 1_000);
      const reused = await refreshV1(client, login.refreshToken);
      expect(reused.status).toBe(401);
      expect(reused.body.error.code).toBe('REFRESH_TOKEN_REUSED');
      const latest = await refreshV1(client, third.body.data.refreshToken);
      expect(latest.status).toBe(401);
      expect(latest.body.error.code).toBe('SESSION_REVOKED');
    });
  });

  describe('disabled users', () => {
    it('refuses refresh for a disabled user: disabling revokes the sessions', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      const login = await registerV1(client, email);
      expect(await setUserDisabled(server.core, login.user.id, true)).toBe(true);

      for (const res of [
        await refreshV1(client, login.refreshToken),
        await client.post('/api/auth/refresh', { refresh_token: login.refreshToken }),
      ]) {
        expect(res.status).toBe(401);
        expect(res.body.error?.code ?? res.body.code).toBe('SESSION_REVOKED');
      }
      const access = await client.get('/api/v1/agents', login.token);
      expect(access.status).toBe(401);
      expect(access.body.error.code).toBe('TOKEN_REVOKED');
      const relogin = await client.post('/api/v1/auth/login', { email, password: PASSWORD });
      expect(relogin.status).toBe(403);
      expect(relogin.body.error.code).toBe('ACCOUNT_DISABLED');

      // Re-enabling lets the user log in again, but the revoked session stays revoked.
      await setUserDisabled(server.core, login.user.id, false);
      expect((await refreshV1(client, login.refreshToken)).body.error.code).toBe('SESSION_REVOKED');
      expect((await client.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
    });

    it('refuses refresh with ACCOUNT_DISABLED when the flag is set without revoking sessions', async () => {
      const client = caller(server);
      const login = await registerV1(client, uniqueEmail());
      // The disabled flag alone (as a direct database edit would leave it) must still stop refresh.
      expect(await server.core.stores.users.setDisabled(login.user.id, clock(), clock())).toBe(true);
      const v1 = await refreshV1(client, login.refreshToken);
      expect(v1.status).toBe(403);
      expect(v1.body.error.code).toBe('ACCOUNT_DISABLED');
      const flat = await client.post('/api/auth/refresh', { refresh_token: login.refreshToken });
      expect(flat.status).toBe(403);
      expect(flat.body.code).toBe('ACCOUNT_DISABLED');
      expect((await storedRefresh(server, login.refreshToken))?.usedAt).toBeNull();
    });
  });

  describe('flat surface', () => {
    it('with FLAT_REFRESH_ROTATION returns a refresh_token and spends the old one', async () => {
      const client = caller(rotatingFlat);
      const email = uniqueEmail();
      await registerV1(client, email);
      const login = (await client.post('/api/auth/login', { email, password: PASSWORD })).body;
      const res = await client.post('/api/auth/refresh', { refresh_token: login.refresh_token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 900,
        refresh_token: expect.any(String),
      });
      expect(res.body.refresh_token).not.toBe(login.refresh_token);
      expect((await storedRefresh(rotatingFlat, login.refresh_token))?.usedAt).not.toBeNull();
      expect((await client.get('/api/auth/me', res.body.access_token)).status).toBe(200);

      const next = await client.post('/api/auth/refresh', { refresh_token: res.body.refresh_token });
      expect(next.status).toBe(200);
      expect(next.body.refresh_token).not.toBe(res.body.refresh_token);

      clock.advance(GRACE_MS + 1_000);
      const reused = await client.post('/api/auth/refresh', { refresh_token: login.refresh_token });
      expect(reused.status).toBe(401);
      expect(reused.body).toEqual({ detail: expect.any(String), code: 'REFRESH_TOKEN_REUSED' });
      const latest = await client.post('/api/auth/refresh', { refresh_token: next.body.refresh_token });
      expect(latest.body.code).toBe('SESSION_REVOKED');
    });
  });
});

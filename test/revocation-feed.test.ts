import { beforeAll, describe, expect, it } from 'vitest';
import { rotateClientSecret, setUserDisabled } from '../src/core/index.js';
import { caller, registerV1 } from './helpers/api.js';
import { basicAuth, feedReader, jtiOf, listening, openFeed } from './helpers/feed.js';
import { uniqueEmail, useServer } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';

describe.each(TARGETS)('the revocation feed on $name', ({ create }) => {
  const { server } = useServer(create, { REVOCATION_FEED_HEARTBEAT_SECONDS: '1' });
  let base: string;
  let reader: { clientId: string; authorization: string };

  beforeAll(async () => {
    base = await listening(server);
    reader = await feedReader(server);
  });

  /** A fresh user's login (v1): its access token, its jti and session id. */
  async function aLogin() {
    const login = await registerV1(caller(server), uniqueEmail('feed'));
    const sessionId = JSON.parse(Buffer.from(login.token.split('.')[1]!, 'base64url').toString()).sid as string;
    return { ...login, jti: jtiOf(login.token), sessionId };
  }

  async function logout(token: string): Promise<void> {
    expect((await caller(server).post('/api/v1/auth/logout', undefined, token)).status).toBe(200);
  }

  it('refuses a caller without client credentials (401 invalid_client) and a client without the permission (403)', async () => {
    const anonymous = await fetch(`${base}/oauth/revocations`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(((await anonymous.json()) as any).error).toBe('invalid_client');

    const { authorization } = await feedReader(server, false);
    for (const path of ['/oauth/revocations', '/oauth/revocations?since=0']) {
      const refused = await fetch(base + path, { headers: { authorization } });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as any).error).toBe('unauthorized_client');
    }
    const wrongSecret = await fetch(`${base}/oauth/revocations`, {
      headers: { authorization: basicAuth(reader.clientId, 'latchkey_cs_not-the-secret') },
    });
    expect(wrongSecret.status).toBe(401);
  });

  it('opens with a snapshot holding an earlier logout, with the security headers and an audit event', async () => {
    const earlier = await aLogin();
    await logout(earlier.token);
    const feed = await openFeed(base, reader.authorization);
    try {
      const { headers } = feed.response;
      expect(headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(headers.get('cache-control')).toBe('no-store');
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('content-security-policy')).toContain("default-src 'none'");

      const snapshot = await feed.next();
      expect(snapshot.event).toBe('snapshot');
      expect(feed.retry).toBeGreaterThan(0);
      expect(snapshot.id).toBe(String(snapshot.data.cursor));
      const entries = snapshot.data.revocations as { type: string; id: string; exp: number; revoked_at: number }[];
      const token = entries.find((e) => e.type === 'token' && e.id === earlier.jti);
      expect(token).toBeDefined();
      expect(token!.exp).toBeGreaterThan(Date.now() / 1000);
      expect(token!.revoked_at).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
      expect(entries).toContainEqual(expect.objectContaining({ type: 'session', id: earlier.sessionId }));
      const seqs = entries.map((e: any) => e.seq as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(Math.max(...seqs)).toBeLessThanOrEqual(snapshot.data.cursor);
    } finally {
      feed.close();
    }
    const opened = await server.core.stores.audit.listByType('oauth_revocation_feed_opened', 100);
    expect(opened.map((e) => e.details)).toContainEqual({ clientId: reader.clientId, how: 'stream' });
  });

  it('sends each kind of revocation as it happens: logout, sign-out everywhere, PAT, disable, client-secret rotation', async () => {
    const feed = await openFeed(base, reader.authorization);
    try {
      await feed.next((e) => e.event === 'snapshot');

      const loggedOut = await aLogin();
      await logout(loggedOut.token);
      const tokenEvent = await feed.revocation('token', loggedOut.jti);
      expect(tokenEvent.id).toBe(String(tokenEvent.data.seq));
      await feed.revocation('session', loggedOut.sessionId);

      const everywhere = await aLogin();
      const signedOut = await server.app.inject({
        method: 'DELETE',
        url: '/api/v1/auth/sessions',
        headers: { authorization: `Bearer ${everywhere.token}` },
      });
      expect(signedOut.statusCode).toBe(200);
      await feed.revocation('session', everywhere.sessionId);

      const owner = await aLogin();
      const pat = await caller(server).post('/api/v1/tokens', { name: 'ci', scopes: ['agents:read'] }, owner.token);
      expect(pat.status).toBe(201);
      const revoked = await server.app.inject({
        method: 'DELETE',
        url: `/api/v1/tokens/${pat.body.data.id}`,
        headers: { authorization: `Bearer ${owner.token}` },
      });
      expect(revoked.statusCode).toBe(200);
      await feed.revocation('credential', pat.body.data.id);

      expect(await setUserDisabled(server.core, owner.user.id, true)).toBe(true);
      // Its sessions end first, then its credentials' cached lookups go.
      await feed.revocation('session', owner.sessionId);
      await feed.revocation('user', owner.user.id);

      const service = await feedReader(server);
      const { client } = await rotateClientSecret(server.core, service.clientId, {
        userId: null,
        ctx: { ip: 'cli', userAgent: 'test' },
      });
      const rotation = await feed.revocation('client', service.clientId);
      // A client's tokens with iat before revoked_at are refused: the line Latchkey draws itself.
      expect(rotation.data.revoked_at).toBe(Math.ceil(client.secretRotatedAt / 1000));
    } finally {
      feed.close();
    }
  });

  it('resumes after Last-Event-ID with exactly the later revocations and no snapshot', async () => {
    const first = await aLogin();
    const second = await aLogin();
    const feed = await openFeed(base, reader.authorization);
    await logout(first.token);
    const seen = await feed.revocation('token', first.jti);
    feed.close();
    await logout(second.token);

    const resumed = await openFeed(base, reader.authorization, seen.id);
    try {
      const opening = [];
      for (let event = await resumed.next(); event.event !== 'heartbeat'; event = await resumed.next()) {
        opening.push(event);
      }
      const start = Number(seen.id);
      expect(opening.map((e) => [e.event, e.data.type, e.data.id, Number(e.id)])).toEqual([
        ['revocation', 'session', first.sessionId, start + 1],
        ['revocation', 'token', second.jti, start + 2],
        ['revocation', 'session', second.sessionId, start + 3],
      ]);
    } finally {
      resumed.close();
    }

    for (const stale of ['not-a-number', '-1', '999999999999']) {
      const fresh = await openFeed(base, reader.authorization, stale);
      try {
        expect((await fresh.next()).event).toBe('snapshot');
      } finally {
        fresh.close();
      }
    }
  });

  it('sends a heartbeat with the cursor and the server time every REVOCATION_FEED_HEARTBEAT_SECONDS', async () => {
    const feed = await openFeed(base, reader.authorization);
    try {
      const snapshot = await feed.next();
      const beats = [await feed.next((e) => e.event === 'heartbeat'), await feed.next((e) => e.event === 'heartbeat')];
      for (const beat of beats) {
        expect(beat.data.cursor).toBeGreaterThanOrEqual(snapshot.data.cursor);
        expect(beat.id).toBe(String(beat.data.cursor));
        expect(Math.abs(beat.data.time - Date.now() / 1000)).toBeLessThan(5);
      }
      expect(beats[1]!.at - beats[0]!.at).toBeGreaterThan(500);
    } finally {
      feed.close();
    }
  });

  it('answers pollers in JSON: a snapshot without since, the later revocations with since', async () => {
    const headers = { authorization: reader.authorization };
    const poll = async (query: string): Promise<any> => {
      const res = await fetch(`${base}/oauth/revocations?${query}`, { headers });
      expect(res.status).toBe(200);
      return res.json();
    };
    const before = await fetch(`${base}/oauth/revocations`, { headers: { ...headers, accept: 'application/json' } });
    expect(before.status).toBe(200);
    expect(before.headers.get('cache-control')).toBe('no-store');
    const snapshot = (await before.json()) as any;
    expect(snapshot.snapshot).toBe(true);

    const login = await aLogin();
    await logout(login.token);
    const page = await poll(`since=${snapshot.cursor}`);
    expect(page.snapshot).toBe(false);
    expect(page.revocations.map((e: any) => [e.type, e.id])).toEqual([
      ['token', login.jti],
      ['session', login.sessionId],
    ]);
    expect(page.cursor).toBe(page.revocations[1].seq);
    const nothingNew = await poll(`since=${page.cursor}`);
    expect(nothingNew).toEqual({ revocations: [], cursor: page.cursor, snapshot: false });

    const tooNew = await poll('since=999999999999');
    expect(tooNew.snapshot).toBe(true);
    expect(tooNew.revocations).toContainEqual(expect.objectContaining({ type: 'token', id: login.jti }));

    for (const bad of ['-1', '1.5', 'abc', '', '1e3']) {
      const res = await fetch(`${base}/oauth/revocations?since=${bad}`, { headers });
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error).toBe('invalid_request');
    }
  });
});

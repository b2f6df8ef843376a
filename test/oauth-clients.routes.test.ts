import { describe, expect, it } from 'vitest';
import { createUser } from '../src/core/users/users.js';
import { caller, PASSWORD, registerV1, type Caller, type Response } from './helpers/api.js';
import { manualClock } from './helpers/clock.js';
import { uniqueEmail, useServer } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';

const MINUTE_MS = 60_000;

interface Issued {
  clientId: string;
  secret: string;
}

// What differs between the two surfaces: paths, field names, and where the answer sits.
const SURFACES = [
  {
    name: 'v1',
    path: '/api/v1/oauth/clients',
    body: (b: { name: string; scopes: string[]; introspect?: boolean; revocations?: boolean }) => ({
      name: b.name,
      scopes: b.scopes,
      ...(b.introspect === undefined ? {} : { canIntrospect: b.introspect }),
      ...(b.revocations === undefined ? {} : { canReadRevocations: b.revocations }),
    }),
    issued: (res: Response): Issued => ({
      clientId: res.body.data.client.clientId,
      secret: res.body.data.clientSecret,
    }),
    listed: (res: Response): Record<string, unknown>[] => res.body.data,
    idOf: (listed: Record<string, unknown>) => listed.clientId,
    code: (res: Response) => res.body.error.code,
    deleted: { success: true, data: { deleted: true } },
    client: (id: string, createdBy: unknown) => ({
      clientId: id,
      name: 'agents-api',
      scopes: ['agents:read', 'voicelogs:read'],
      canIntrospect: true,
      canReadRevocations: false,
      secretPrefix: expect.stringMatching(/^latchkey_cs_\w{4}$/),
      createdBy,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      secretRotatedAt: expect.any(String),
      lastUsedAt: null,
    }),
    withSecret: (client: object) => ({
      success: true,
      data: { client, clientSecret: expect.stringMatching(/^latchkey_cs_\w+$/) },
    }),
  },
  {
    name: 'flat',
    path: '/api/oauth/clients',
    body: (b: { name: string; scopes: string[]; introspect?: boolean; revocations?: boolean }) => ({
      name: b.name,
      scopes: b.scopes,
      ...(b.introspect === undefined ? {} : { can_introspect: b.introspect }),
      ...(b.revocations === undefined ? {} : { can_read_revocations: b.revocations }),
    }),
    issued: (res: Response): Issued => ({ clientId: res.body.client_id, secret: res.body.client_secret }),
    listed: (res: Response): Record<string, unknown>[] => res.body.items,
    idOf: (listed: Record<string, unknown>) => listed.client_id,
    code: (res: Response) => res.body.code,
    deleted: { detail: 'OAuth client deleted' },
    client: (id: string, createdBy: unknown) => ({
      client_id: id,
      name: 'agents-api',
      scopes: ['agents:read', 'voicelogs:read'],
      can_introspect: true,
      can_read_revocations: false,
      secret_prefix: expect.stringMatching(/^latchkey_cs_\w{4}$/),
      created_by: createdBy,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      secret_rotated_at: expect.any(String),
      last_used_at: null,
    }),
    withSecret: (client: object) => ({ ...client, client_secret: expect.stringMatching(/^latchkey_cs_\w+$/) }),
  },
] as const;

describe.each(TARGETS)('OAuth client management over HTTP on $name', ({ create }) => {
  const clock = manualClock();
  const { server } = useServer(create, {}, clock);

  /** A fresh ADMIN logged in through the v1 surface (its session token works on both). */
  async function admin(): Promise<{ http: Caller; token: string; refreshToken: string; userId: string }> {
    const email = uniqueEmail('admin');
    const user = await createUser(server.core, { email, password: PASSWORD, role: 'ADMIN' });
    const http = caller(server);
    const login = await http.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    return { http, ...login.body.data, userId: user.id };
  }

  /** POST /oauth/token with HTTP Basic (client_secret_basic), as a service would. */
  async function tokenFor({ clientId, secret }: Issued): Promise<Response> {
    const res = await server.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      },
      payload: 'grant_type=client_credentials',
    });
    return { status: res.statusCode, headers: res.headers, body: JSON.parse(res.body) };
  }

  describe.each(SURFACES)('on the $name surface', (surface) => {
    const agentsApi = surface.body({ name: 'agents-api', scopes: ['agents:read', 'voicelogs:read'], introspect: true });

    async function register(http: Caller, token: string, body: object = agentsApi): Promise<Issued> {
      const res = await http.post(surface.path, body, token);
      expect(res.status).toBe(201);
      return surface.issued(res);
    }

    it('an ADMIN registers a client, shown its secret once, and the client gets tokens at /oauth/token', async () => {
      const { http, token, userId } = await admin();
      const res = await http.post(surface.path, agentsApi, token);
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      const issued = surface.issued(res);
      expect(issued.clientId).toMatch(/^latchkey_client_[0-9a-f]{24}$/);
      expect(res.body).toEqual(surface.withSecret(surface.client(issued.clientId, userId)));

      const granted = await tokenFor(issued);
      expect(granted.status).toBe(200);
      expect(granted.body).toMatchObject({ token_type: 'Bearer', scope: 'agents:read voicelogs:read' });
      expect((await http.get('/api/v1/agents', granted.body.access_token)).status).toBe(200);
    });

    it('trims the name and leaves both resource-server permissions off unless asked', async () => {
      const { http, token } = await admin();
      const { clientId } = await register(http, token, surface.body({ name: '  plain  ', scopes: ['agents:write'] }));
      const found = (await server.core.stores.clients.findById(clientId))!;
      expect(found).toMatchObject({ name: 'plain', scopes: ['agents:write'] });
      expect([found.canIntrospect, found.canReadRevocations]).toEqual([false, false]);
    });

    it('lists every client with its secret prefix and never a secret', async () => {
      const { http, token } = await admin();
      const issued = await register(http, token);
      const res = await http.get(surface.path, token);
      expect(res.status).toBe(200);
      const entry = surface.listed(res).find((c) => surface.idOf(c) === issued.clientId);
      expect(entry).toEqual(surface.client(issued.clientId, expect.any(String)));
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(issued.secret);
      expect(text).not.toMatch(/secret_?hash/i);
    });

    it('rotating the secret answers a new one; the old secret gets invalid_client and its tokens are revoked', async () => {
      const { http, token } = await admin();
      const issued = await register(http, token);
      const oldToken = (await tokenFor(issued)).body.access_token as string;
      // A token's iat has second resolution: rotation is judged against it in the next second.
      clock.advance(1000);

      const res = await http.post(`${surface.path}/${issued.clientId}/secret`, undefined, token);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const rotated = surface.issued(res);
      expect(rotated.clientId).toBe(issued.clientId);
      expect(rotated.secret).not.toBe(issued.secret);

      const refused = await tokenFor(issued);
      expect(refused.status).toBe(401);
      expect(refused.body.error).toBe('invalid_client');
      expect((await http.get('/api/v1/agents', oldToken)).body.error.code).toBe('TOKEN_REVOKED');
      expect((await tokenFor(rotated)).status).toBe(200);
    });

    it('deleting a client ends its secret and its tokens; the id is unknown afterwards', async () => {
      const { http, token } = await admin();
      const issued = await register(http, token);
      const clientToken = (await tokenFor(issued)).body.access_token as string;

      const res = await http.delete(`${surface.path}/${issued.clientId}`, token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(surface.deleted);
      expect((await tokenFor(issued)).body.error).toBe('invalid_client');
      expect((await http.get('/api/v1/agents', clientToken)).status).toBe(401);
      expect(surface.listed(await http.get(surface.path, token)).some((c) => surface.idOf(c) === issued.clientId)).toBe(
        false,
      );
    });

    it('answers 404 NOT_FOUND for an unknown client id', async () => {
      const { http, token } = await admin();
      for (const res of [
        await http.delete(`${surface.path}/latchkey_client_000000000000000000000000`, token),
        await http.post(`${surface.path}/latchkey_client_000000000000000000000000/secret`, undefined, token),
      ]) {
        expect(res.status).toBe(404);
        expect(surface.code(res)).toBe('NOT_FOUND');
      }
    });

    it('refuses a USER with 403 FORBIDDEN on every route', async () => {
      const { http: adminHttp, token: adminToken } = await admin();
      const issued = await register(adminHttp, adminToken);
      const http = caller(server);
      const { token } = await registerV1(http, uniqueEmail());
      for (const res of [
        await http.post(surface.path, agentsApi, token),
        await http.get(surface.path, token),
        await http.post(`${surface.path}/${issued.clientId}/secret`, undefined, token),
        await http.delete(`${surface.path}/${issued.clientId}`, token),
      ]) {
        expect(res.status).toBe(403);
        expect(surface.code(res)).toBe('FORBIDDEN');
      }
      // Nothing changed: the secret still works.
      expect((await tokenFor(issued)).status).toBe(200);
    });

    it("refuses an ADMIN's personal access token and a client token with 403 SESSION_TOKEN_REQUIRED", async () => {
      const { http, token } = await admin();
      const issued = await register(http, token);
      const pat = await http.post('/api/v1/tokens', { name: 'ops', scopes: ['agents:read'] }, token);
      expect(pat.status).toBe(201);
      const clientToken = (await tokenFor(issued)).body.access_token as string;
      for (const bearer of [pat.body.data.token as string, clientToken]) {
        for (const res of [
          await http.post(surface.path, agentsApi, bearer),
          await http.get(surface.path, bearer),
          await http.post(`${surface.path}/${issued.clientId}/secret`, undefined, bearer),
          await http.delete(`${surface.path}/${issued.clientId}`, bearer),
        ]) {
          expect(res.status).toBe(403);
          expect(surface.code(res)).toBe('SESSION_TOKEN_REQUIRED');
        }
      }
    });

    it('wants a recent login to register a client or replace its secret, not to list or delete', async () => {
      const { http, token, refreshToken } = await admin();
      const issued = await register(http, token);
      clock.advance(10 * MINUTE_MS);
      const refreshed = await http.post('/api/v1/auth/refresh', { refreshToken });
      expect(refreshed.status).toBe(200);
      clock.advance(6 * MINUTE_MS);
      const stale = refreshed.body.data.token as string;

      for (const res of [
        await http.post(surface.path, agentsApi, stale),
        await http.post(`${surface.path}/${issued.clientId}/secret`, undefined, stale),
      ]) {
        expect(res.status).toBe(401);
        expect(surface.code(res)).toBe('RECENT_LOGIN_REQUIRED');
        expect(res.headers['www-authenticate']).toMatch(/error="insufficient_user_authentication"/);
      }
      expect((await http.get(surface.path, stale)).status).toBe(200);
      expect((await http.delete(`${surface.path}/${issued.clientId}`, stale)).status).toBe(200);
    });

    it.each([
      ['an unknown scope', { name: 'a', scopes: ['agents:read', 'admin'] }, /^scopes\.1: unknown scope "admin"/],
      ['no scope', { name: 'a', scopes: [] }, /^scopes: needs at least one scope$/],
      ['a repeated scope', { name: 'a', scopes: ['agents:read', 'agents:read'] }, /^scopes: must not repeat a scope$/],
      ['no scopes field', { name: 'a' }, /^scopes: is required$/],
      ['a blank name', { name: '   ', scopes: ['agents:read'] }, /^name: is required$/],
      ['a name of 101 characters', { name: 'n'.repeat(101), scopes: ['agents:read'] }, /^name: must be at most 100/],
    ])('refuses %s with 400 VALIDATION_FAILED and registers nothing', async (_, body, message) => {
      const { http, token } = await admin();
      const before = (await server.core.stores.clients.list()).length;
      const res = await http.post(surface.path, body, token);
      expect(res.status).toBe(400);
      expect(surface.code(res)).toBe('VALIDATION_FAILED');
      expect(surface.name === 'v1' ? res.body.error.message : res.body.detail).toMatch(message);
      expect(await server.core.stores.clients.list()).toHaveLength(before);
    });

    it('records who registered, rotated and deleted a client, and from where', async () => {
      const { http, token, userId } = await admin();
      const issued = await register(http, token);
      await http.post(`${surface.path}/${issued.clientId}/secret`, undefined, token);
      await http.delete(`${surface.path}/${issued.clientId}`, token);
      for (const type of ['oauth_client_registered', 'oauth_client_secret_rotated', 'oauth_client_deleted']) {
        const event = (await server.core.stores.audit.listByType(type, 1000)).find(
          (e) => e.details?.clientId === issued.clientId,
        );
        expect(event, type).toMatchObject({ userId, ip: http.ip });
        expect(JSON.stringify(event)).not.toContain('latchkey_cs_');
      }
      const registered = (await server.core.stores.audit.listByType('oauth_client_registered', 1000)).find(
        (e) => e.details?.clientId === issued.clientId,
      );
      expect(registered?.details).toEqual({
        clientId: issued.clientId,
        name: 'agents-api',
        scopes: ['agents:read', 'voicelogs:read'],
        canIntrospect: true,
        canReadRevocations: false,
      });
    });
  });
});

import { describe, expect, it } from 'vitest';
import { deleteClient, rotateClientSecret } from '../src/core/index.js';
import { caller, createPat, registerV1 } from './helpers/api.js';
import { manualClock } from './helpers/clock.js';
import { ingestAccount } from './helpers/ingest.js';
import {
  basicAuth,
  clientToken,
  expectOAuthError,
  introspect,
  newClient,
  newResourceServer,
  OPERATOR,
  postForm,
  type TestClient,
} from './helpers/oauth.js';
import { type TestServer, uniqueEmail, uniqueIp, useServers } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';

const GRANT = { grant_type: 'client_credentials' };
const BASIC_CHALLENGE = 'Basic realm="latchkey", charset="UTF-8"';

describe.each(TARGETS)('attacks on the OAuth endpoints on $name', ({ create }) => {
  const clock = manualClock();
  const { servers } = useServers(create, [{}, clock], [{ CLIENT_AUTH_RATE_LIMIT: '3' }]);
  const [server, strict] = servers;

  /** Expects `authorization` to be refused as client authentication on every endpoint that takes one. */
  async function expectClientRefused(on: TestServer, authorization: string): Promise<void> {
    for (const [url, params] of [
      ['/oauth/token', GRANT],
      ['/oauth/introspect', { token: 'anything' }],
      ['/oauth/revoke', { token: 'anything' }],
    ] as const) {
      const res = await postForm(on, url, params, { authorization });
      expectOAuthError(res, 401, 'invalid_client');
      expect(res.headers['www-authenticate'], url).toBe(BASIC_CHALLENGE);
    }
  }

  describe('client authentication', () => {
    it('refuses a wrong secret, with a Basic challenge', async () => {
      const client = await newClient(server, { canIntrospect: true });
      const wrong = await newClient(server);
      // A well-formed secret (prefix and checksum) that is not this client's.
      await expectClientRefused(server, basicAuth(client.id, `${wrong.secret.slice(0, -1)}x`));
      await expectClientRefused(server, basicAuth(client.id, 'not-a-secret'));
      await expectClientRefused(server, basicAuth(client.id, ''));
    });

    it('refuses the secret of another client', async () => {
      const [a, b] = [await newClient(server, { canIntrospect: true }), await newClient(server)];
      await expectClientRefused(server, basicAuth(a.id, b.secret));
      const post = await postForm(server, '/oauth/token', { ...GRANT, client_id: a.id, client_secret: b.secret });
      expectOAuthError(post, 401, 'invalid_client');
    });

    it('refuses an unknown client id, whatever the secret', async () => {
      const real = await newClient(server);
      // Another id by its last character (never the same one: a hex id may already end in 0).
      const other = `${real.id.slice(0, -1)}${real.id.endsWith('0') ? '1' : '0'}`;
      await expectClientRefused(server, basicAuth(other, real.secret));
      await expectClientRefused(server, basicAuth('someone', real.secret));
    });

    it("refuses a user's access token, refresh token, PAT or ingest key presented as a client secret", async () => {
      const client = caller(server);
      const login = await registerV1(client, uniqueEmail());
      const pat = await createPat(client, login.token);
      const { key } = await ingestAccount(server);
      const machine = await newClient(server, { canIntrospect: true });
      const machineToken = await clientToken(server, machine);
      for (const secret of [login.token, login.refreshToken, pat, key, machineToken]) {
        await expectClientRefused(server, basicAuth(machine.id, secret));
        await expectClientRefused(server, basicAuth(login.user.id, secret));
        const post = await postForm(server, '/oauth/token', { ...GRANT, client_id: machine.id, client_secret: secret });
        expectOAuthError(post, 401, 'invalid_client');
      }
    });

    it('refuses a bearer token as client authentication: it authenticates no client', async () => {
      const login = await registerV1(caller(server), uniqueEmail());
      const machineToken = await clientToken(server, await newClient(server));
      for (const token of [login.token, machineToken]) await expectClientRefused(server, `Bearer ${token}`);
    });
  });

  describe('client tokens at the API', () => {
    it('are refused on credential management: 403 SESSION_TOKEN_REQUIRED', async () => {
      const machine = await newClient(server, { scopes: ['agents:read', 'agents:write', 'voicelogs:read'] });
      const token = await clientToken(server, machine);
      const client = caller(server);
      for (const res of [
        await client.post('/api/v1/tokens', { name: 'escalate', scopes: ['agents:read'] }, token),
        await client.get('/api/v1/tokens', token),
        await client.post('/api/settings/api-key', {}, token),
        await client.get('/api/v1/auth/sessions', token),
        await client.post('/api/v1/auth/logout', undefined, token),
      ]) {
        expect({ status: res.status, code: res.body.error?.code ?? res.body.code }).toEqual({
          status: 403,
          code: 'SESSION_TOKEN_REQUIRED',
        });
      }
    });

    it('are refused where the route acts for a user account: 403 CLIENT_TOKEN_NOT_ALLOWED', async () => {
      const machine = await newClient(server, { scopes: ['agents:read', 'agents:write'] });
      const token = await clientToken(server, machine);
      const client = caller(server);
      const me = await client.get('/api/v1/auth/me', token);
      expect(me.status).toBe(403);
      expect(me.body.error.code).toBe('CLIENT_TOKEN_NOT_ALLOWED');
      const flatMe = await client.get('/api/auth/me', token);
      expect(flatMe.status).toBe(403);
      expect(flatMe.body.code).toBe('CLIENT_TOKEN_NOT_ALLOWED');
      const created = await client.post('/api/v1/agents', { name: 'by a machine' }, token);
      expect(created.status).toBe(403);
      expect(created.body.error.code).toBe('CLIENT_TOKEN_NOT_ALLOWED');
    });

    it('are accepted on GET /api/v1/agents with agents:read, and refused without it (INSUFFICIENT_SCOPE)', async () => {
      const machine = await newClient(server, { scopes: ['agents:read', 'voicelogs:read'] });
      const client = caller(server);
      expect((await client.get('/api/v1/agents', await clientToken(server, machine, 'agents:read'))).status).toBe(200);
      const narrow = await client.get('/api/v1/agents', await clientToken(server, machine, 'voicelogs:read'));
      expect(narrow.status).toBe(403);
      expect(narrow.body.error.code).toBe('INSUFFICIENT_SCOPE');
      expect(narrow.headers['www-authenticate']).toBe(
        'Bearer realm="latchkey", error="insufficient_scope", scope="agents:read"',
      );
    });

    it("cannot read every user's agents, which is for ADMIN sessions", async () => {
      const token = await clientToken(server, await newClient(server));
      const all = await caller(server).get('/api/v1/agents?all=true', token);
      expect(all.status).toBe(403);
    });
  });

  describe('secret rotation and deletion', () => {
    async function expectTokenRefused(token: string, rs: TestClient): Promise<void> {
      const res = await caller(server).get('/api/v1/agents', token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('TOKEN_REVOKED');
      expect(await introspect(server, rs, token)).toEqual({ active: false });
    }

    it('refuses the rotated secret and the tokens issued before the rotation; accepts those after', async () => {
      const rs = await newResourceServer(server);
      const machine = await newClient(server);
      const before = await clientToken(server, machine);
      clock.advance(2_000);
      const { secret } = await rotateClientSecret(server.core, machine.id, OPERATOR);
      await expectClientRefused(server, machine.basic);
      await expectTokenRefused(before, rs);
      const rotated: TestClient = { ...machine, secret, basic: basicAuth(machine.id, secret) };
      const after = await clientToken(server, rotated);
      expect((await caller(server).get('/api/v1/agents', after)).status).toBe(200);
      expect(await introspect(server, rs, after)).toMatchObject({ active: true, client_id: machine.id });
    });

    it('accepts a token issued in the same second as the rotation, after it', async () => {
      const machine = await newClient(server);
      clock.set(Math.floor(clock() / 1000) * 1000 + 1_000 + 700);
      const { secret } = await rotateClientSecret(server.core, machine.id, OPERATOR);
      const token = await clientToken(server, { ...machine, secret, basic: basicAuth(machine.id, secret) });
      expect((await caller(server).get('/api/v1/agents', token)).status).toBe(200);
    });

    it("refuses a deleted client's secret and tokens", async () => {
      const rs = await newResourceServer(server);
      const machine = await newClient(server);
      const token = await clientToken(server, machine);
      await deleteClient(server.core, machine.id, OPERATOR);
      await expectClientRefused(server, machine.basic);
      await expectTokenRefused(token, rs);
    });
  });

  describe('the failed-authentication limit (CLIENT_AUTH_RATE_LIMIT=3)', () => {
    it('answers the 4th failure from one address 429 with Retry-After, and spares other addresses', async () => {
      const machine = await newClient(strict);
      const ip = uniqueIp();
      const wrong = basicAuth(machine.id, 'wrong');
      for (let i = 0; i < 3; i++) {
        expectOAuthError(
          await postForm(strict, '/oauth/token', GRANT, { authorization: wrong, ip }),
          401,
          'invalid_client',
        );
      }
      const limited = await postForm(strict, '/oauth/token', GRANT, { authorization: wrong, ip });
      expectOAuthError(limited, 429, 'invalid_client');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      // Past the limit the right secret is refused too: a guesser must not learn it by a 200.
      const right = await postForm(strict, '/oauth/introspect', { token: 'x' }, { authorization: machine.basic, ip });
      expectOAuthError(right, 429, 'invalid_client');
      expect(right.headers['retry-after']).toBeDefined();
      // Another address is neither limited nor locked out.
      const elsewhere = uniqueIp();
      expectOAuthError(
        await postForm(strict, '/oauth/token', GRANT, { authorization: wrong, ip: elsewhere }),
        401,
        'invalid_client',
      );
      expect(
        (await postForm(strict, '/oauth/token', GRANT, { authorization: machine.basic, ip: elsewhere })).status,
      ).toBe(200);
    });

    it('counts failures per client: another client from the same address is not limited', async () => {
      const [a, b] = [await newClient(strict), await newClient(strict)];
      const ip = uniqueIp();
      for (let i = 0; i < 4; i++)
        await postForm(strict, '/oauth/token', GRANT, { authorization: basicAuth(a.id, 'x'), ip });
      expect((await postForm(strict, '/oauth/token', GRANT, { authorization: b.basic, ip })).status).toBe(200);
    });
  });
});

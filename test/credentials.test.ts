import { describe, expect, it, vi } from 'vitest';
import { createUser, setUserDisabled } from '../src/core/users/users.js';
import { caller, PASSWORD, registerV1, type Caller } from './helpers/api.js';
import { startServer, uniqueEmail, useServers } from './helpers/server.js';
import { TARGETS, waitOutOtherProcessLag } from './helpers/targets.js';

const PAT_FORMAT = /^latchkey_pat_[0-9A-Za-z]{49}$/;
const KEY_FORMAT = /^latchkey_test_[0-9A-Za-z]{49}$/;

function alterOneCharacter(secret: string): string {
  const at = secret.length - 10;
  return secret.slice(0, at) + (secret[at] === 'a' ? 'b' : 'a') + secret.slice(at + 1);
}

describe.each(TARGETS)('personal access tokens and ingest keys on $name', ({ create }) => {
  // A second instance over the same data: revocation must be seen there at once.
  const { servers, target } = useServers(create, [{ LOGIN_RATE_LIMIT: '3' }], []);
  const [server, other] = servers;

  async function createPat(client: Caller, token: string, scopes: string[] = ['agents:read']) {
    const res = await client.post('/api/v1/tokens', { name: 'CRM sync', scopes }, token);
    expect(res.status).toBe(201);
    return res.body.data;
  }

  describe('personal access tokens', () => {
    it('is shown once at creation, with id, name, scopes, prefix and time; the list never shows it', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const created = await createPat(client, token, ['agents:read', 'voicelogs:read']);
      expect(created).toEqual({
        id: expect.stringMatching(/^pat_/),
        name: 'CRM sync',
        scopes: ['agents:read', 'voicelogs:read'],
        prefix: created.token.slice(0, 17),
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        lastUsedAt: null,
        token: expect.stringMatching(PAT_FORMAT),
      });
      const list = await client.get('/api/v1/tokens', token);
      expect(list.body.data).toEqual([{ ...created, token: undefined }].map(({ token: _, ...rest }) => rest));
      expect(JSON.stringify(list.body)).not.toContain(created.token);
    });

    it('is stored only as a hash', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const created = await createPat(client, token);
      const me = (await client.get('/api/v1/auth/me', token)).body.data.user;
      const [stored] = await server.core.stores.credentials.listActive(me.id, 'pat');
      expect(stored!.secretHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain(created.token.slice(17));
    });

    it('works as a bearer token on both surfaces, records last use, and skips the login rate limit', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const pat = (await createPat(client, token, ['agents:read', 'voicelogs:read'])).token;
      // More requests than the login limit (3) allows logins: a PAT is not a login.
      for (let i = 0; i < 5; i++) expect((await client.get('/api/v1/agents', pat)).status).toBe(200);
      expect((await client.get('/api/voicelogs', pat)).status).toBe(200);
      expect((await client.get('/api/v1/auth/me', pat)).status).toBe(200);
      const [listed] = (await client.get('/api/v1/tokens', token)).body.data;
      expect(listed.lastUsedAt).toEqual(expect.any(String));
    });

    it('cannot manage credentials, 2FA or sessions', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const pat = (await createPat(client, token, ['agents:read', 'agents:write', 'voicelogs:read'])).token;
      for (const url of [
        '/api/v1/tokens',
        '/api/v1/auth/2fa/setup',
        '/api/auth/mfa/setup',
        '/api/settings/api-key',
        '/api/v1/auth/logout',
      ]) {
        const res = await client.post(url, { name: 'x', scopes: ['agents:read'] }, pat);
        expect(res.status, url).toBe(403);
        expect(JSON.stringify(res.body)).toContain('SESSION_TOKEN_REQUIRED');
      }
    });

    it('refuses a missing scope with 403 naming the scope', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const pat = (await createPat(client, token, ['agents:read'])).token;
      const res = await client.get('/api/voicelogs', pat);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('INSUFFICIENT_SCOPE');
      expect(res.body.detail).toContain('voicelogs:read');
      expect(res.headers['www-authenticate']).toBe(
        'Bearer realm="latchkey", error="insufficient_scope", scope="voicelogs:read"',
      );
    });

    it('rejects unknown scopes and empty names at creation', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      for (const body of [
        { name: 'x', scopes: ['admin:all'] },
        { name: '', scopes: ['agents:read'] },
        { name: 'x', scopes: [] },
      ]) {
        const res = await client.post('/api/v1/tokens', body, token);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
      }
    });

    it('refuses unknown, malformed and altered tokens, the altered one before any lookup', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const pat = (await createPat(client, token)).token;
      const lookup = vi.spyOn(server.core.stores.credentials, 'findActiveByHash');
      try {
        for (const bad of [alterOneCharacter(pat), 'latchkey_pat_short', `${pat}x`]) {
          const res = await client.get('/api/v1/agents', bad);
          expect(res.status).toBe(401);
          expect(res.body.error.code).toBe('INVALID_PAT');
        }
        expect(lookup).not.toHaveBeenCalled();
      } finally {
        lookup.mockRestore();
      }
    });

    it('revokes on every instance', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const created = await createPat(client, token);
      expect((await caller(other).get('/api/v1/agents', created.token)).status).toBe(200);
      const revoke = await server.app.inject({
        method: 'DELETE',
        url: `/api/v1/tokens/${created.id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(revoke.statusCode).toBe(200);
      await waitOutOtherProcessLag();
      const after = await caller(other).get('/api/v1/agents', created.token);
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe('INVALID_PAT');
      expect((await client.get('/api/v1/tokens', token)).body.data).toEqual([]);
    });

    it('stops working when its owner is disabled, and works again when re-enabled', async () => {
      const client = caller(server);
      const { token, user } = await registerV1(client, uniqueEmail());
      const pat = (await createPat(client, token)).token;
      // Used first on the other instance, so it holds a cached lookup that must be dropped.
      expect((await caller(other).get('/api/v1/agents', pat)).status).toBe(200);
      await setUserDisabled(server.core, user.id, true);
      await waitOutOtherProcessLag();
      const refused = await caller(other).get('/api/v1/agents', pat);
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('INVALID_PAT');
      await setUserDisabled(server.core, user.id, false);
      await waitOutOtherProcessLag();
      expect((await caller(other).get('/api/v1/agents', pat)).status).toBe(200);
    });

    it('does not let one user revoke another user’s token', async () => {
      const alice = caller(server);
      const aliceLogin = await registerV1(alice, uniqueEmail('alice'));
      const created = await createPat(alice, aliceLogin.token);
      const bob = await registerV1(caller(server), uniqueEmail('bob'));
      const res = await server.app.inject({
        method: 'DELETE',
        url: `/api/v1/tokens/${created.id}`,
        headers: { authorization: `Bearer ${bob.token}` },
      });
      expect(res.statusCode).toBe(404);
      expect((await alice.get('/api/v1/agents', created.token)).status).toBe(200);
    });
  });

  describe('ingest API keys', () => {
    async function generateKey(client: Caller, token: string, body?: unknown) {
      return client.post('/api/settings/api-key', body, token);
    }

    it('is generated once with the test prefix outside production, then shown only as metadata', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const res = await generateKey(client, token);
      expect(res.status).toBe(201);
      expect(res.body.api_key).toMatch(KEY_FORMAT);
      const meta = await client.get('/api/settings/api-key', token);
      expect(meta.body).toEqual({
        id: res.body.id,
        prefix: res.body.api_key.slice(0, 18),
        created_at: expect.any(String),
        last_used_at: null,
      });
      expect(JSON.stringify(meta.body)).not.toContain(res.body.api_key);
    });

    it('asks for confirmation before replacing a key, and the replaced key stops working', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const first = (await generateKey(client, token)).body.api_key;
      const refused = await generateKey(client, token);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('API_KEY_EXISTS');
      const second = await generateKey(client, token, { replace: true });
      expect(second.status).toBe(201);
      const ping = (key: string) =>
        server.app.inject({ method: 'GET', url: '/api/ingest/ping', headers: { 'x-api-key': key } });
      expect((await ping(first)).statusCode).toBe(401);
      expect((await ping(second.body.api_key)).statusCode).toBe(200);
    });

    it('keeps one live key per user, even when generation requests race', async () => {
      const client = caller(server);
      const { token, user } = await registerV1(client, uniqueEmail());
      const plain = await Promise.all(Array.from({ length: 4 }, () => generateKey(client, token)));
      expect(plain.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
      const replacing = await Promise.all(
        Array.from({ length: 4 }, () => generateKey(caller(other), token, { replace: true })),
      );
      for (const res of replacing) expect([201, 409]).toContain(res.status);
      expect(await server.core.stores.credentials.listActive(user.id, 'ingest')).toHaveLength(1);
      const live = replacing.filter((r) => r.status === 201).map((r) => r.body.api_key);
      const working = [];
      for (const key of [plain.find((r) => r.status === 201)!.body.api_key, ...live]) {
        const ping = await server.app.inject({ method: 'GET', url: '/api/ingest/ping', headers: { 'x-api-key': key } });
        if (ping.statusCode === 200) working.push(key);
      }
      expect(working).toHaveLength(1);
    });

    it('opens /api/ingest/* only, and is refused elsewhere with a message saying so', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const key = (await generateKey(client, token)).body.api_key;
      const ping = await server.app.inject({ method: 'GET', url: '/api/ingest/ping', headers: { 'x-api-key': key } });
      expect(ping.statusCode).toBe(200);
      for (const url of ['/api/voicelogs', '/api/v1/agents', '/api/auth/me']) {
        const res = await server.app.inject({ method: 'GET', url, headers: { 'x-api-key': key } });
        expect(res.statusCode, url).toBe(401);
        expect(res.body).toContain('API_KEY_NOT_ALLOWED');
        expect(res.body).toContain('API keys only work on Ingest API endpoints');
      }
      const asBearer = await client.get('/api/voicelogs', key);
      expect(asBearer.body.code).toBe('API_KEY_NOT_ALLOWED');
    });

    it('refuses a bearer token on ingest endpoints, and a missing, altered or revoked key', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const key = (await generateKey(client, token)).body.api_key;
      const ping = (headers: Record<string, string>) =>
        server.app.inject({ method: 'GET', url: '/api/ingest/ping', headers });
      expect(JSON.parse((await ping({ authorization: `Bearer ${token}` })).body).code).toBe(
        'BEARER_NOT_ALLOWED_ON_INGEST',
      );
      expect(JSON.parse((await ping({})).body).code).toBe('NO_API_KEY');
      expect(JSON.parse((await ping({ 'x-api-key': alterOneCharacter(key) })).body).code).toBe('INVALID_API_KEY');
      const revoke = await server.app.inject({
        method: 'DELETE',
        url: '/api/settings/api-key',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(revoke.statusCode).toBe(200);
      await waitOutOtherProcessLag();
      const revoked = await caller(other).get('/api/settings/api-key', token);
      expect(revoked.status).toBe(404);
      const afterRevoke = await other.app.inject({
        method: 'GET',
        url: '/api/ingest/ping',
        headers: { 'x-api-key': key },
      });
      expect(JSON.parse(afterRevoke.body).code).toBe('INVALID_API_KEY');
    });

    it('uses the live prefix in production', async () => {
      const production = await startServer(target, {
        LATCHKEY_ENV: 'production',
        LATCHKEY_SECRET: 'a-production-secret-of-at-least-32-chars',
      });
      try {
        const client = caller(production);
        const email = uniqueEmail();
        // Sign-up is off in production by default: the operator creates the user.
        await createUser(production.core, { email, password: PASSWORD });
        const login = await client.post('/api/auth/login', { email, password: PASSWORD });
        const res = await client.post('/api/settings/api-key', undefined, login.body.access_token);
        expect(res.body.api_key).toMatch(/^latchkey_live_[0-9A-Za-z]{49}$/);
      } finally {
        await production.close();
      }
    });
  });
});

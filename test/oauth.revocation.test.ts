import { describe, expect, it } from 'vitest';
import { caller, createPat, registerV1 } from './helpers/api.js';
import { ingestAccount } from './helpers/ingest.js';
import {
  clientToken,
  expectOAuthError,
  introspect,
  newClient,
  newResourceServer,
  postForm,
  type TestClient,
} from './helpers/oauth.js';
import { uniqueEmail, useServer } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';

describe.each(TARGETS)('POST /oauth/revoke (RFC 7009) on $name', ({ create }) => {
  const { server } = useServer(create);

  function revoke(client: TestClient, token: string) {
    return postForm(server, '/oauth/revoke', { token }, { authorization: client.basic });
  }

  /** The status and error code the guard answers `token` with on a route it may otherwise read. */
  async function guardAnswer(token: string): Promise<{ status: number; code?: string }> {
    const res = await caller(server).get('/api/v1/agents', token);
    return res.status === 200 ? { status: 200 } : { status: res.status, code: res.body.error.code };
  }

  it('lets a client revoke its own token: an empty 200, and the guard refuses the token from then on', async () => {
    const machine = await newClient(server);
    const token = await clientToken(server, machine);
    expect(await guardAnswer(token)).toEqual({ status: 200 });
    const res = await server.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: machine.basic },
      payload: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(await guardAnswer(token)).toEqual({ status: 401, code: 'TOKEN_REVOKED' });
    expect(await introspect(server, await newResourceServer(server), token)).toEqual({ active: false });
    // Its other tokens stand.
    expect(await guardAnswer(await clientToken(server, machine))).toEqual({ status: 200 });
  });

  it("refuses client A revoking client B's token: unauthorized_client, and the token stands", async () => {
    const [a, b] = [await newClient(server), await newClient(server)];
    const token = await clientToken(server, b);
    expectOAuthError(await revoke(a, token), 400, 'unauthorized_client');
    // Not even a resource server may revoke another client's token.
    expectOAuthError(await revoke(await newResourceServer(server), token), 400, 'unauthorized_client');
    expect(await guardAnswer(token)).toEqual({ status: 200 });
  });

  it("refuses a client that is not a resource server revoking a user's tokens: unauthorized_client", async () => {
    const machine = await newClient(server);
    const login = await registerV1(caller(server), uniqueEmail());
    expectOAuthError(await revoke(machine, login.token), 400, 'unauthorized_client');
    expectOAuthError(await revoke(machine, login.refreshToken), 400, 'unauthorized_client');
    expect(await guardAnswer(login.token)).toEqual({ status: 200 });
  });

  it("lets a resource server revoke a user's access token: that token is refused, the session goes on", async () => {
    const rs = await newResourceServer(server);
    const client = caller(server);
    const login = await registerV1(client, uniqueEmail());
    const res = await revoke(rs, login.token);
    expect(res.status).toBe(200);
    expect(res.body).toBeUndefined();
    expect(await guardAnswer(login.token)).toEqual({ status: 401, code: 'TOKEN_REVOKED' });
    const refreshed = await client.post('/api/v1/auth/refresh', { refreshToken: login.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(await guardAnswer(refreshed.body.data.token)).toEqual({ status: 200 });
  });

  it('lets a resource server (feed reader) revoke a refresh token: the whole session ends', async () => {
    const rs = await newClient(server, { scopes: ['agents:read'], canReadRevocations: true });
    const client = caller(server);
    const login = await registerV1(client, uniqueEmail());
    expect((await revoke(rs, login.refreshToken)).status).toBe(200);
    const refreshed = await client.post('/api/v1/auth/refresh', { refreshToken: login.refreshToken });
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.error.code).toBe('SESSION_REVOKED');
    expect(await guardAnswer(login.token)).toEqual({ status: 401, code: 'TOKEN_REVOKED' });
  });

  it('answers 200 for an unknown, malformed or already revoked token (section 2.2)', async () => {
    const machine = await newClient(server);
    const token = await clientToken(server, machine);
    for (const candidate of ['', 'garbage', 'a.b.c', `${token}x`, token, token]) {
      const res = await revoke(machine, candidate);
      expect(res.status).toBe(200);
      expect(res.body).toBeUndefined();
    }
  });

  it('refuses personal access tokens and ingest keys: unsupported_token_type, and they stand', async () => {
    const rs = await newResourceServer(server);
    const client = caller(server);
    const login = await registerV1(client, uniqueEmail());
    const pat = await createPat(client, login.token);
    expectOAuthError(await revoke(rs, pat), 400, 'unsupported_token_type');
    expect(await guardAnswer(pat)).toEqual({ status: 200 });
    const { key } = await ingestAccount(server);
    expectOAuthError(await revoke(rs, key), 400, 'unsupported_token_type');
    expect(await introspect(server, rs, key)).toMatchObject({ active: true });
  });

  it('refuses a request without a token (invalid_request) or without client authentication (invalid_client)', async () => {
    const machine = await newClient(server);
    const token = await clientToken(server, machine);
    expectOAuthError(
      await postForm(server, '/oauth/revoke', {}, { authorization: machine.basic }),
      400,
      'invalid_request',
    );
    const anonymous = await postForm(server, '/oauth/revoke', { token });
    expectOAuthError(anonymous, 401, 'invalid_client');
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic /);
    // The token's own bearer is no client authentication.
    const bearer = await postForm(server, '/oauth/revoke', { token }, { authorization: `Bearer ${token}` });
    expectOAuthError(bearer, 401, 'invalid_client');
    expect(await guardAnswer(token)).toEqual({ status: 200 });
  });

  it('accepts client_secret_post as well as HTTP Basic', async () => {
    const machine = await newClient(server);
    const token = await clientToken(server, machine);
    const res = await postForm(server, '/oauth/revoke', {
      token,
      client_id: machine.id,
      client_secret: machine.secret,
    });
    expect(res.status).toBe(200);
    expect(await guardAnswer(token)).toEqual({ status: 401, code: 'TOKEN_REVOKED' });
  });
});

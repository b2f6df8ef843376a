import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { newJti } from '../src/core/keys/tokens.js';
import { setUserDisabled } from '../src/core/users/users.js';
import { caller, createPat, registerV1 } from './helpers/api.js';
import { manualClock } from './helpers/clock.js';
import { ingestAccount } from './helpers/ingest.js';
import { clientToken, expectOAuthError, introspect, newClient, newResourceServer, postForm } from './helpers/oauth.js';
import { OwnRedis } from './helpers/own-redis.js';
import { freePort } from './helpers/ports.js';
import { uniqueEmail, useServer } from './helpers/server.js';
import { postgresTarget, TARGETS } from './helpers/targets.js';

const INACTIVE = { active: false };

describe.each(TARGETS)('POST /oauth/introspect (RFC 7662) on $name', ({ create }) => {
  const clock = manualClock();
  const { server } = useServer(create, {}, clock);
  const { server: staging } = useServer(create, { LATCHKEY_ENV: 'staging' });

  /** The members an active answer takes from a JWT and from the server: times, id, issuer, audience. */
  function jwtMembers(token: string) {
    const { exp, iat, jti } = decodeJwt(token);
    return { exp, iat, jti, iss: server.config.issuer, aud: server.config.audience };
  }

  it('describes an active user access token: the user, e-mail, scopes, times, session and role', async () => {
    const rs = await newResourceServer(server);
    const email = uniqueEmail();
    const login = await registerV1(caller(server), email);
    const res = await postForm(server, '/oauth/introspect', { token: login.token }, { authorization: rs.basic });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      active: true,
      scope: 'agents:read agents:write voicelogs:read',
      sub: login.user.id,
      username: email,
      token_type: 'Bearer',
      ...jwtMembers(login.token),
      sid: decodeJwt(login.token).sid,
      role: 'USER',
    });
  });

  it('answers exactly {"active":false} for a logged-out token', async () => {
    const rs = await newResourceServer(server);
    const login = await registerV1(caller(server), uniqueEmail());
    expect(await introspect(server, rs, login.token)).toMatchObject({ active: true });
    expect((await caller(server).post('/api/v1/auth/logout', undefined, login.token)).status).toBe(200);
    const res = await server.app.inject({
      method: 'POST',
      url: '/oauth/introspect',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: rs.basic },
      payload: new URLSearchParams({ token: login.token }).toString(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{"active":false}');
  });

  it('answers inactive for an access token past its expiry', async () => {
    const rs = await newResourceServer(server);
    const login = await registerV1(caller(server), uniqueEmail());
    clock.advance(901_000);
    expect(await introspect(server, rs, login.token)).toEqual(INACTIVE);
  });

  it('describes an active personal access token, then answers inactive once it is revoked', async () => {
    const rs = await newResourceServer(server);
    const email = uniqueEmail();
    const client = caller(server);
    const login = await registerV1(client, email);
    const pat = await createPat(client, login.token, ['agents:read', 'voicelogs:read']);
    const [stored] = await server.core.stores.credentials.listActive(login.user.id, 'pat');
    expect(await introspect(server, rs, pat)).toEqual({
      active: true,
      scope: 'agents:read voicelogs:read',
      sub: login.user.id,
      username: email,
      token_type: 'Bearer',
      iat: Math.floor(stored!.createdAt / 1000),
      iss: server.config.issuer,
      aud: server.config.audience,
      jti: stored!.id,
      role: 'USER',
    });
    expect((await client.delete(`/api/v1/tokens/${stored!.id}`, login.token)).status).toBe(200);
    expect(await introspect(server, rs, pat)).toEqual(INACTIVE);
  });

  it('describes an active ingest key as token_type ApiKey, without scopes', async () => {
    const rs = await newResourceServer(server);
    const account = await ingestAccount(server);
    const user = await server.core.stores.users.findById(account.userId);
    expect(await introspect(server, rs, account.key)).toEqual({
      active: true,
      sub: account.userId,
      username: user!.email,
      token_type: 'ApiKey',
      iat: expect.any(Number),
      iss: server.config.issuer,
      aud: server.config.audience,
      jti: expect.stringMatching(/^key_/),
    });
  });

  it("answers inactive for a disabled user's personal access token and access token", async () => {
    const rs = await newResourceServer(server);
    const client = caller(server);
    const login = await registerV1(client, uniqueEmail());
    const pat = await createPat(client, login.token);
    expect(await introspect(server, rs, pat)).toMatchObject({ active: true });
    await setUserDisabled(server.core, login.user.id, true);
    expect(await introspect(server, rs, pat)).toEqual(INACTIVE);
    expect(await introspect(server, rs, login.token)).toEqual(INACTIVE);
  });

  it('answers inactive for a token of another environment', async () => {
    const rs = await newResourceServer(server);
    const stagingLogin = await registerV1(caller(staging), uniqueEmail('staging'));
    expect((await caller(staging).get('/api/v1/agents', stagingLogin.token)).status).toBe(200);
    expect(await introspect(server, rs, stagingLogin.token)).toEqual(INACTIVE);
    const stagingRs = await newResourceServer(staging);
    expect(await introspect(staging, stagingRs, stagingLogin.token)).toMatchObject({ active: true });
  });

  it('answers inactive for anything malformed, never an error', async () => {
    const rs = await newResourceServer(server);
    const login = await registerV1(caller(server), uniqueEmail());
    const [header, payload] = login.token.split('.');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${payload}.`;
    for (const token of [
      '',
      ' ',
      'garbage',
      'a.b.c',
      `${header}.${payload}.`,
      unsigned,
      `${login.token}x`,
      'latchkey_pat_',
      'latchkey_pat_0000000000000000000000000000000000000000000000000',
      'latchkey_test_',
      'latchkey_cs_abc',
      'naïve\u2028token',
      'x'.repeat(20_000),
    ]) {
      expect(await introspect(server, rs, token), JSON.stringify(token.slice(0, 40))).toEqual(INACTIVE);
    }
    // A NUL character is refused in every request's data before any route sees it.
    const nul = await postForm(server, '/oauth/introspect', { token: 'a\u0000b' }, { authorization: rs.basic });
    expectOAuthError(nul, 400, 'invalid_request');
  });

  it('answers inactive for a refresh token and a 2FA pending token: they are not access tokens', async () => {
    const rs = await newResourceServer(server);
    const login = await registerV1(caller(server), uniqueEmail());
    expect(await introspect(server, rs, login.refreshToken)).toEqual(INACTIVE);
    const pending = await server.core.tokens.signPending({ sub: login.user.id, jti: newJti() });
    expect(await introspect(server, rs, pending.token)).toEqual(INACTIVE);
  });

  it('describes an active client token with its client_id and scopes', async () => {
    const rs = await newResourceServer(server);
    const machine = await newClient(server, { scopes: ['agents:read', 'voicelogs:read'] });
    const token = await clientToken(server, machine, 'voicelogs:read');
    expect(await introspect(server, rs, token)).toEqual({
      active: true,
      scope: 'voicelogs:read',
      client_id: machine.id,
      sub: machine.id,
      token_type: 'Bearer',
      ...jwtMembers(token),
    });
  });

  it('takes token_type_hint as a hint only: a wrong or unknown hint changes nothing', async () => {
    const rs = await newResourceServer(server);
    const login = await registerV1(caller(server), uniqueEmail());
    for (const token_type_hint of ['refresh_token', 'access_token', 'unknown_kind']) {
      const res = await postForm(
        server,
        '/oauth/introspect',
        { token: login.token, token_type_hint },
        { authorization: rs.basic },
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ active: true, sub: login.user.id });
    }
  });

  it('accepts client_secret_post as well as HTTP Basic', async () => {
    const rs = await newResourceServer(server);
    const login = await registerV1(caller(server), uniqueEmail());
    const res = await postForm(server, '/oauth/introspect', {
      token: login.token,
      client_id: rs.id,
      client_secret: rs.secret,
    });
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(true);
  });

  it('refuses a client that may not introspect: 403 unauthorized_client, whatever the token', async () => {
    const machine = await newClient(server, { scopes: ['agents:read'], canReadRevocations: true });
    const login = await registerV1(caller(server), uniqueEmail());
    for (const token of [login.token, 'garbage']) {
      const res = await postForm(server, '/oauth/introspect', { token }, { authorization: machine.basic });
      expectOAuthError(res, 403, 'unauthorized_client');
    }
  });

  it('refuses a request without a token (invalid_request) or without client authentication (invalid_client)', async () => {
    const rs = await newResourceServer(server);
    const missing = await postForm(
      server,
      '/oauth/introspect',
      { token_type_hint: 'access_token' },
      { authorization: rs.basic },
    );
    expectOAuthError(missing, 400, 'invalid_request');
    expect(missing.body.error_description).toBe('token: is required');
    const anonymous = await postForm(server, '/oauth/introspect', { token: 'anything' });
    expectOAuthError(anonymous, 401, 'invalid_client');
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic /);
  });
});

// This block runs its own redis-server, so killing it touches no other test.
describe('POST /oauth/introspect while Redis is down', () => {
  let redis: OwnRedis | undefined;
  // Registered before the server's, so it runs after the server closed.
  afterAll(() => redis?.kill());
  const { server } = useServer(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    return postgresTarget(redis.url);
  });

  it('answers from the database meanwhile: a live token active, a revoked one inactive', async () => {
    const rs = await newResourceServer(server);
    const live = await registerV1(caller(server), uniqueEmail());
    const revoked = await registerV1(caller(server), uniqueEmail());
    expect(await introspect(server, rs, live.token)).toMatchObject({ active: true });
    await redis!.kill();
    expect((await caller(server).post('/api/v1/auth/logout', undefined, revoked.token)).status).toBe(200);
    expect(await introspect(server, rs, live.token)).toMatchObject({ active: true });
    expect(await introspect(server, rs, revoked.token)).toEqual({ active: false });
  });
});

import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { caller } from './helpers/api.js';
import { basicAuth, clientToken, expectOAuthError, newClient, postForm } from './helpers/oauth.js';
import { useServer } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';

const GRANT = { grant_type: 'client_credentials' };

describe.each(TARGETS)('POST /oauth/token (client credentials) on $name', ({ create }) => {
  const { server } = useServer(create);

  it('issues an RFC 9068 access token for the client, with HTTP Basic, not to be cached', async () => {
    const client = await newClient(server, { scopes: ['agents:read', 'voicelogs:read'] });
    const res = await postForm(server, '/oauth/token', GRANT, { authorization: client.basic });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'agents:read voicelogs:read',
    });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    const token = res.body.access_token as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toEqual({
      iss: server.config.issuer,
      aud: server.config.audience,
      sub: client.id,
      client_id: client.id,
      scope: 'agents:read voicelogs:read',
      jti: expect.any(String),
      env: 'development',
      iat: expect.any(Number),
      exp: claims.iat! + 900,
    });
    expect(claims).not.toHaveProperty('sid');
  });

  it('authenticates the client by client_id and client_secret in the body too (client_secret_post)', async () => {
    const client = await newClient(server);
    const res = await postForm(server, '/oauth/token', {
      ...GRANT,
      client_id: client.id,
      client_secret: client.secret,
    });
    expect(res.status).toBe(200);
    expect(decodeJwt(res.body.access_token).client_id).toBe(client.id);
  });

  it('accepts the form content type with a charset parameter', async () => {
    const client = await newClient(server);
    const res = await postForm(server, '/oauth/token', GRANT, {
      authorization: client.basic,
      contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
    });
    expect(res.status).toBe(200);
  });

  it('grants the requested subset of the scopes and ignores parameters it does not know', async () => {
    const client = await newClient(server, { scopes: ['agents:read', 'agents:write', 'voicelogs:read'] });
    const res = await postForm(
      server,
      '/oauth/token',
      { ...GRANT, scope: 'voicelogs:read agents:read', audience: 'elsewhere' },
      { authorization: client.basic },
    );
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('voicelogs:read agents:read');
    expect(decodeJwt(res.body.access_token).scope).toBe('voicelogs:read agents:read');
  });

  it('makes a token the guard accepts on routes its scopes open, and refuses on those they do not', async () => {
    const client = await newClient(server, { scopes: ['agents:read'] });
    const token = await clientToken(server, client);
    const agents = await caller(server).get('/api/v1/agents', token);
    expect(agents.status).toBe(200);
    expect(agents.body).toEqual({ success: true, data: [] });
    const logs = await caller(server).get('/api/voicelogs', token);
    expect(logs.status).toBe(403);
    expect(logs.body.code).toBe('INSUFFICIENT_SCOPE');
  });

  describe('refusals (RFC 6749 section 5.2)', () => {
    it('refuses a scope beyond the client: invalid_scope', async () => {
      const client = await newClient(server, { scopes: ['agents:read'] });
      for (const scope of ['agents:write', 'agents:read agents:write', 'admin']) {
        const res = await postForm(server, '/oauth/token', { ...GRANT, scope }, { authorization: client.basic });
        expectOAuthError(res, 400, 'invalid_scope');
      }
    });

    it('refuses a scope parameter that is not space-separated scope names: invalid_scope', async () => {
      const client = await newClient(server, { scopes: ['agents:read'] });
      for (const scope of ['', ' agents:read', 'agents:read  agents:read', 'agents:read\tx', 'a"b']) {
        const res = await postForm(server, '/oauth/token', { ...GRANT, scope }, { authorization: client.basic });
        expectOAuthError(res, 400, 'invalid_scope');
      }
    });

    it('refuses a grant type other than client_credentials: unsupported_grant_type', async () => {
      const client = await newClient(server);
      for (const grant_type of ['password', 'authorization_code', 'refresh_token', 'CLIENT_CREDENTIALS']) {
        const res = await postForm(server, '/oauth/token', { grant_type }, { authorization: client.basic });
        expectOAuthError(res, 400, 'unsupported_grant_type');
      }
    });

    it('refuses a request without grant_type: invalid_request', async () => {
      const client = await newClient(server);
      const res = await postForm(server, '/oauth/token', { scope: 'agents:read' }, { authorization: client.basic });
      expectOAuthError(res, 400, 'invalid_request');
      expect(res.body.error_description).toContain('grant_type');
    });

    it('refuses a repeated parameter: invalid_request', async () => {
      const client = await newClient(server, { scopes: ['agents:read', 'agents:write'] });
      for (const [body, description] of [
        ['grant_type=client_credentials&grant_type=client_credentials', 'The grant_type parameter is repeated'],
        ['grant_type=client_credentials&scope=agents:read&scope=agents:write', 'The scope parameter is repeated'],
        // A name not of the RFCs' shape is not echoed into the error body.
        ['grant_type=client_credentials&%3Cb%3E=1&%3Cb%3E=2', 'A parameter is repeated'],
      ] as const) {
        const res = await postForm(server, '/oauth/token', body, { authorization: client.basic });
        expectOAuthError(res, 400, 'invalid_request');
        expect(res.body.error_description).toBe(description);
      }
    });

    it('refuses a JSON body, even with valid parameters: 415 invalid_request', async () => {
      const client = await newClient(server);
      const json = JSON.stringify({ ...GRANT, client_id: client.id, client_secret: client.secret });
      for (const authorization of [client.basic, undefined]) {
        const res = await postForm(server, '/oauth/token', json, {
          contentType: 'application/json',
          ...(authorization ? { authorization } : {}),
        });
        expectOAuthError(res, 415, 'invalid_request');
      }
    });

    it('refuses a request without a body: invalid_request', async () => {
      const client = await newClient(server);
      const res = await server.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { authorization: client.basic },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('form') });
    });

    it('refuses both Basic and body credentials in one request: invalid_request', async () => {
      const client = await newClient(server);
      const res = await postForm(
        server,
        '/oauth/token',
        { ...GRANT, client_id: client.id, client_secret: client.secret },
        { authorization: client.basic },
      );
      expectOAuthError(res, 400, 'invalid_request');
    });

    it('refuses a body client_id naming another client than the Basic credentials: invalid_request', async () => {
      const [client, other] = [await newClient(server), await newClient(server)];
      const res = await postForm(
        server,
        '/oauth/token',
        { ...GRANT, client_id: other.id },
        { authorization: client.basic },
      );
      expectOAuthError(res, 400, 'invalid_request');
    });

    it('asks for client authentication when none came: 401 invalid_client with a Basic challenge', async () => {
      const client = await newClient(server);
      for (const params of [GRANT, { ...GRANT, client_id: client.id }]) {
        const res = await postForm(server, '/oauth/token', params);
        expectOAuthError(res, 401, 'invalid_client');
        expect(res.headers['www-authenticate']).toBe('Basic realm="latchkey", charset="UTF-8"');
      }
    });

    it('refuses Basic credentials without a colon, or not form-encoded: invalid_client or invalid_request', async () => {
      const client = await newClient(server);
      const noColon = `Basic ${Buffer.from(client.id).toString('base64')}`;
      const res = await postForm(server, '/oauth/token', GRANT, { authorization: noColon });
      expectOAuthError(res, 401, 'invalid_client');
      expect(res.headers['www-authenticate']).toMatch(/^Basic /);
      const badEncoding = `Basic ${Buffer.from(`${client.id}:%zz`).toString('base64')}`;
      expectOAuthError(
        await postForm(server, '/oauth/token', GRANT, { authorization: badEncoding }),
        400,
        'invalid_request',
      );
    });

    it('decodes form-encoded Basic credentials (RFC 6749 section 2.3.1)', async () => {
      const client = await newClient(server);
      // Every character of an id and a secret is encoded, as a strict client may do.
      const strict = (value: string) => [...value].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
      const authorization = `Basic ${Buffer.from(`${strict(client.id)}:${strict(client.secret)}`).toString('base64')}`;
      expect((await postForm(server, '/oauth/token', GRANT, { authorization })).status).toBe(200);
      expect(basicAuth(client.id, client.secret)).toBe(client.basic);
    });
  });
});

import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, registerV1 } from './helpers/api.js';
import { newClient, type TestClient } from './helpers/oauth.js';
import { freePort } from './helpers/ports.js';
import { startServer, type TestServer, uniqueEmail } from './helpers/server.js';
import { type StorageTarget, TARGETS } from './helpers/targets.js';

// The server listens on plain http on loopback, which oauth4webapi refuses unless told.
const HTTP = { [oauth.allowInsecureRequests]: true } as const;

const AUTH_METHODS = [
  ['client_secret_basic', oauth.ClientSecretBasic],
  ['client_secret_post', oauth.ClientSecretPost],
] as const;

/** oauth4webapi as an independent client of a listening Latchkey whose PUBLIC_URL is its own address. */
describe.each(TARGETS)('oauth4webapi against a listening server on $name', ({ create }) => {
  let target: StorageTarget;
  let server: TestServer;
  let issuer: URL;
  let as: oauth.AuthorizationServer;

  beforeAll(async () => {
    target = await create();
    const port = await freePort();
    issuer = new URL(`http://127.0.0.1:${port}`);
    server = await startServer(target, { PUBLIC_URL: issuer.href });
    await server.app.listen({ host: '127.0.0.1', port });
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...HTTP }),
    );
  });
  afterAll(async () => {
    await server?.close();
    await target?.dispose();
  });

  async function grant(client: TestClient, auth: oauth.ClientAuth, scope?: string) {
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      { client_id: client.id },
      auth,
      new URLSearchParams(scope === undefined ? {} : { scope }),
      HTTP,
    );
    return oauth.processClientCredentialsResponse(as, { client_id: client.id }, response);
  }

  async function introspect(rs: TestClient, auth: oauth.ClientAuth, token: string) {
    const response = await oauth.introspectionRequest(as, { client_id: rs.id }, auth, token, HTTP);
    return oauth.processIntrospectionResponse(as, { client_id: rs.id }, response);
  }

  async function agentsStatus(token: string): Promise<number> {
    const res = await fetch(new URL('/api/v1/agents', issuer), { headers: { authorization: `Bearer ${token}` } });
    await res.body?.cancel();
    return res.status;
  }

  /** What oauth4webapi throws for `promise`, which must be refused. */
  async function refusal(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => expect.unreachable('the request was accepted'),
      (error: unknown) => error,
    );
  }

  it('discovers the authorization server (RFC 8414) and the protected resource (RFC 9728)', async () => {
    expect(as).toMatchObject({
      issuer: server.config.issuer,
      token_endpoint: `${server.config.issuer}/oauth/token`,
      introspection_endpoint: `${server.config.issuer}/oauth/introspect`,
      revocation_endpoint: `${server.config.issuer}/oauth/revoke`,
      jwks_uri: `${server.config.issuer}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
    });
    const resourceId = new URL(server.config.audience);
    const resource = await oauth.processResourceDiscoveryResponse(
      resourceId,
      await oauth.resourceDiscoveryRequest(resourceId, HTTP),
    );
    expect(resource).toMatchObject({ resource: server.config.audience, authorization_servers: [server.config.issuer] });
  });

  for (const [method, auth] of AUTH_METHODS) {
    describe(`with ${method}`, () => {
      it('gets a client-credentials token that the API accepts', async () => {
        const client = await newClient(server, { scopes: ['agents:read', 'voicelogs:read'] });
        const result = await grant(client, auth(client.secret), 'agents:read');
        expect(result).toMatchObject({ token_type: 'bearer', expires_in: 900, scope: 'agents:read' });
        expect(await agentsStatus(result.access_token)).toBe(200);
      });

      it('introspects a client token and a user token, and revokes the client token', async () => {
        const rs = await newClient(server, { scopes: ['agents:read'], canIntrospect: true });
        const machine = await newClient(server);
        const { access_token } = await grant(machine, auth(machine.secret));
        expect(await introspect(rs, auth(rs.secret), access_token)).toMatchObject({
          active: true,
          client_id: machine.id,
          scope: 'agents:read',
          token_type: 'Bearer',
        });
        const email = uniqueEmail();
        const login = await registerV1(caller(server), email);
        expect(await introspect(rs, auth(rs.secret), login.token)).toMatchObject({
          active: true,
          sub: login.user.id,
          username: email,
        });

        const revoked = await oauth.revocationRequest(
          as,
          { client_id: machine.id },
          auth(machine.secret),
          access_token,
          HTTP,
        );
        await expect(oauth.processRevocationResponse(revoked)).resolves.toBeUndefined();
        expect(await introspect(rs, auth(rs.secret), access_token)).toEqual({ active: false });
        expect(await agentsStatus(access_token)).toBe(401);
      });

      it('sees a wrong secret refused with a Basic challenge (401)', async () => {
        const client = await newClient(server);
        const other = await newClient(server);
        const error = await refusal(grant(client, auth(other.secret)));
        expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
        const challenge = error as oauth.WWWAuthenticateChallengeError;
        expect(challenge.status).toBe(401);
        expect(challenge.cause).toEqual([{ scheme: 'basic', parameters: { realm: 'latchkey', charset: 'UTF-8' } }]);
      });

      it('sees a scope beyond the client refused as invalid_scope, and introspection without permission as unauthorized_client', async () => {
        const client = await newClient(server, { scopes: ['agents:read'] });
        const scope = await refusal(grant(client, auth(client.secret), 'agents:write'));
        expect(scope).toBeInstanceOf(oauth.ResponseBodyError);
        expect(scope).toMatchObject({ status: 400, error: 'invalid_scope' });
        const introspection = await refusal(introspect(client, auth(client.secret), 'anything'));
        expect(introspection).toBeInstanceOf(oauth.ResponseBodyError);
        expect(introspection).toMatchObject({ status: 403, error: 'unauthorized_client' });
      });
    });
  }
});

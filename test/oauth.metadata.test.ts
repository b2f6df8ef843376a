import { describe, expect, it } from 'vitest';
import { caller } from './helpers/api.js';
import { useServer } from './helpers/server.js';
import { embeddedTarget, TARGETS } from './helpers/targets.js';

const SCOPES = ['agents:read', 'agents:write', 'voicelogs:read'];
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

function authorizationServer(issuer: string) {
  return {
    issuer,
    token_endpoint: `${issuer}/oauth/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    scopes_supported: SCOPES,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    protected_resources: [`${issuer}/api`],
    revocation_feed_endpoint: `${issuer}/oauth/revocations`,
  };
}

function protectedResource(issuer: string) {
  return {
    resource: `${issuer}/api`,
    resource_name: 'Latchkey API',
    authorization_servers: [issuer],
    scopes_supported: SCOPES,
    bearer_methods_supported: ['header'],
  };
}

describe.each(TARGETS)('the OAuth metadata on $name', ({ create }) => {
  const ISSUER = 'https://auth.example.com';
  const { server } = useServer(create, { PUBLIC_URL: `${ISSUER}/` });

  it('publishes the authorization server metadata (RFC 8414) under PUBLIC_URL (without its trailing slash), cacheable for five minutes', async () => {
    const res = await caller(server).get('/.well-known/oauth-authorization-server');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.body).toEqual(authorizationServer(ISSUER));
    // No authorization endpoint, so no response types: an empty array is forbidden (section 3.2).
    expect(res.body).not.toHaveProperty('response_types_supported');
  });

  it("publishes the protected resource metadata (RFC 9728) of Latchkey's API, at the path of its resource too", async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/api']) {
      const res = await caller(server).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=300');
      expect(res.body).toEqual(protectedResource(ISSUER));
    }
  });
});

describe('the OAuth metadata of an issuer with a path', () => {
  const ISSUER = 'https://example.com/auth';
  const { server } = useServer(embeddedTarget, { PUBLIC_URL: ISSUER });

  it('is served where RFC 8414 section 3.1 puts it (the path after the well-known name), and at the root', async () => {
    for (const path of ['/.well-known/oauth-authorization-server/auth', '/.well-known/oauth-authorization-server']) {
      const res = await caller(server).get(path);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(authorizationServer(ISSUER));
    }
    const resource = await caller(server).get('/.well-known/oauth-protected-resource/auth/api');
    expect(resource.status).toBe(200);
    expect(resource.body).toEqual(protectedResource(ISSUER));
  });
});

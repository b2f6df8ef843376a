import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Core, SCOPES } from '../../core/index.js';
import { OAUTH_PATHS } from './schemas.js';

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
// Both documents change only with the configuration: verifiers may keep them a while.
const CACHE_CONTROL = 'public, max-age=300';

const authMethods = z.array(z.enum(CLIENT_AUTH_METHODS));

const authorizationServerMetadata = z.object({
  issuer: z.string(),
  token_endpoint: z.string(),
  jwks_uri: z.string(),
  scopes_supported: z.array(z.string()),
  grant_types_supported: z.array(z.literal('client_credentials')),
  token_endpoint_auth_methods_supported: authMethods,
  introspection_endpoint: z.string(),
  introspection_endpoint_auth_methods_supported: authMethods,
  revocation_endpoint: z.string(),
  revocation_endpoint_auth_methods_supported: authMethods,
  protected_resources: z.array(z.string()).describe('RFC 9728 section 4'),
  revocation_feed_endpoint: z
    .string()
    .describe("Latchkey's: the revocation feed (Server-Sent Events, or ?since= JSON)"),
});

const protectedResourceMetadata = z.object({
  resource: z.string(),
  resource_name: z.string(),
  authorization_servers: z.array(z.string()),
  scopes_supported: z.array(z.string()),
  bearer_methods_supported: z.array(z.literal('header')),
});

/**
 * Where a well-known document for `url` lives: at `/.well-known/<name>`, and, when `url` has a
 * path, also with that path appended (RFC 8414 section 3.1, RFC 9728 section 3.1), which is where
 * oauth4webapi and other strict clients look.
 */
function wellKnownPaths(name: string, url: string): string[] {
  const path = new URL(url).pathname.replace(/\/+$/, '');
  const base = `/.well-known/${name}`;
  return path === '' ? [base] : [base, base + path];
}

/**
 * GET /.well-known/oauth-authorization-server (RFC 8414) and /.well-known/oauth-protected-resource
 * (RFC 9728). There is no authorization endpoint (client credentials only), so
 * response_types_supported is left out: section 3.2 forbids an empty array, and erratum 7793 says
 * the member is required only with an authorization endpoint.
 */
export function metadataRoutes(core: Core): FastifyPluginAsyncZod {
  const { issuer, audience } = core.config;
  const server: z.infer<typeof authorizationServerMetadata> = {
    issuer,
    token_endpoint: issuer + OAUTH_PATHS.token,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    scopes_supported: [...SCOPES],
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    introspection_endpoint: issuer + OAUTH_PATHS.introspection,
    introspection_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    revocation_endpoint: issuer + OAUTH_PATHS.revocation,
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    protected_resources: [audience],
    revocation_feed_endpoint: issuer + OAUTH_PATHS.revocationFeed,
  };
  const resource: z.infer<typeof protectedResourceMetadata> = {
    resource: audience,
    resource_name: 'Latchkey API',
    authorization_servers: [issuer],
    scopes_supported: [...SCOPES],
    bearer_methods_supported: ['header'],
  };
  return async (app) => {
    // The documents are typed by their schemas where they are built, above.
    const serve = (paths: string[], summary: string, schema: z.ZodType, document: unknown) => {
      for (const url of paths) {
        app.get(url, { schema: { summary, tags: ['OAuth'], response: { 200: schema } } }, async (_request, reply) =>
          reply.header('cache-control', CACHE_CONTROL).send(document),
        );
      }
    };
    serve(
      wellKnownPaths('oauth-authorization-server', issuer),
      'Authorization server metadata (RFC 8414)',
      authorizationServerMetadata,
      server,
    );
    // The resource is <issuer>/api; the bare path serves the same document for clients that look there.
    serve(
      wellKnownPaths('oauth-protected-resource', audience),
      "Protected resource metadata (RFC 9728) of Latchkey's own API",
      protectedResourceMetadata,
      resource,
    );
  };
}

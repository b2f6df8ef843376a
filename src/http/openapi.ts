import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DASHBOARD_CSP } from './dashboard.js';
import { flatErrorSchema } from './flat/error-body.js';
import { oauthErrorSchema } from './oauth/schemas.js';
import { v1ErrorSchema } from './v1/envelope.js';

// Every route can fail, and each surface has one error shape: the schemas of its renderers.
const ERROR_BODIES = {
  v1: z.toJSONSchema(v1ErrorSchema),
  flat: z.toJSONSchema(flatErrorSchema),
  oauth: z.toJSONSchema(oauthErrorSchema),
};

function errorBodyOf(url: string) {
  if (url.startsWith('/api/v1/')) return ERROR_BODIES.v1;
  if (url.startsWith('/api/')) return ERROR_BODIES.flat;
  if (url.startsWith('/oauth/')) return ERROR_BODIES.oauth;
  return undefined;
}

/** The zod schemas as JSON Schema, plus the surface's error body as every API route's 4XX/5XX answer. */
const withErrorBodies: typeof jsonSchemaTransform = (input) => {
  const transformed = jsonSchemaTransform(input);
  // Routes without a schema (static files, this document) and outside the surfaces and the OAuth
  // endpoints (health, JWKS, the metadata, which answer in their own shapes) stay as they are.
  const body = errorBodyOf(input.url);
  if (!transformed.schema || !body) return transformed;
  const errors = {
    '4XX': { description: 'Refused', ...body },
    '5XX': { description: 'Unavailable or failed', ...body },
  };
  return {
    ...transformed,
    schema: { ...transformed.schema, response: { ...(transformed.schema.response as object | undefined), ...errors } },
  };
};

// The dashboard's policy, plus the one style element Swagger UI's bundle injects (its hash; the
// package is pinned, and test/e2e/docs.e2e.test.ts fails on any violation after an upgrade).
export const DOCS_CSP = DASHBOARD_CSP.replace(
  "style-src 'self'",
  "style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='",
);

/**
 * The OpenAPI document, generated from the zod schemas every route declares (so it cannot drift
 * from what the routes validate and answer). Served at GET /openapi.json, and as an interactive
 * reference at GET /docs (Swagger UI from its own files, under the dashboard's CSP).
 */
export async function registerOpenApi(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Latchkey',
        version: '1',
        description:
          "Both surfaces: /api/v1 (akol-auth) and /api (koeiq-auth); and the OAuth endpoints (/oauth/*, /.well-known/oauth-*), which answer in the RFCs' own bodies.",
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A session access token (JWT) or a personal access token',
          },
          apiKey: {
            type: 'apiKey',
            in: 'header',
            name: 'X-API-Key',
            description: 'An ingest API key, on /api/ingest/* only',
          },
          oauthClient: {
            type: 'http',
            scheme: 'basic',
            description:
              'An OAuth client on /oauth/*: its client_id and secret, form-encoded, as HTTP Basic (client_secret_basic), or as client_id and client_secret in the form body (client_secret_post)',
          },
        },
      },
    },
    transform: withErrorBodies,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: () => DOCS_CSP,
    uiConfig: { deepLinking: true, validatorUrl: null },
    logLevel: 'warn',
  });
}

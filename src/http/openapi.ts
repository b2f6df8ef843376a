import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/**
 * The OpenAPI document, generated from the zod schemas every route declares (so it cannot drift
 * from what the routes validate and answer). Served at GET /openapi.json.
 */
export async function registerOpenApi(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Latchkey', version: '1', description: 'Both surfaces: /api/v1 (akol-auth) and /api (koeiq-auth).' },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A session access token (JWT) or a personal access token' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An ingest API key, on /api/ingest/* only' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

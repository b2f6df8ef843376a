import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Core, introspectToken, requireClient } from '../../core/index.js';
import { requestContext } from '../guard.js';
import { presentedClient } from './presented-client.js';
import { CLIENT_AUTHENTICATION, OAUTH_PATHS, tokenBody } from './schemas.js';

const inactive = z.object({ active: z.literal(false) }).describe('Unknown, expired, revoked, disabled or malformed');

const active = z.object({
  active: z.literal(true),
  scope: z.string().optional().describe('Space-separated; absent for ingest keys'),
  client_id: z.string().optional().describe('For client-credentials tokens: the client'),
  sub: z.string().describe('The user id, or the client id for a client token'),
  username: z.string().optional().describe("The user's e-mail, for user tokens"),
  token_type: z.enum(['Bearer', 'ApiKey']).describe('ApiKey: an ingest key, sent as X-API-Key'),
  exp: z.number().int().optional().describe('Epoch seconds; absent for tokens that live until revoked'),
  iat: z.number().int(),
  iss: z.string(),
  aud: z.string(),
  jti: z.string(),
  role: z.string().optional().describe("Latchkey's: the user's role the token carries"),
  sid: z.string().optional().describe("Latchkey's: the session of a user access token"),
});

/** POST /oauth/introspect (RFC 7662), for clients allowed to introspect. */
export function introspectionRoutes(core: Core): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      OAUTH_PATHS.introspection,
      {
        schema: {
          summary: 'Token introspection (RFC 7662): whether a token is active, and what it grants',
          description:
            'Access tokens (user or client), personal access tokens and ingest keys. Anything that is not an active token is exactly {"active": false}. token_type_hint is accepted and not needed.',
          tags: ['OAuth'],
          security: CLIENT_AUTHENTICATION,
          consumes: ['application/x-www-form-urlencoded'],
          body: tokenBody,
          response: { 200: z.union([inactive, active]) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const client = await requireClient(core, presentedClient(request, body), request.ip);
        const answer = await introspectToken(core, client, body.token, requestContext(request));
        return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(answer);
      },
    );
  };
}

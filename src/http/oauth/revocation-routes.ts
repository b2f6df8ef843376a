import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Core, requireClient, revokeToken } from '../../core/index.js';
import { requestContext } from '../guard.js';
import { presentedClient } from './presented-client.js';
import { CLIENT_AUTHENTICATION, OAUTH_PATHS, tokenBody } from './schemas.js';

/** POST /oauth/revoke (RFC 7009). */
export function revocationRoutes(core: Core): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      OAUTH_PATHS.revocation,
      {
        schema: {
          summary: 'Token revocation (RFC 7009)',
          description:
            "A client revokes a token it was issued; a resource server (a client that may introspect or read the revocation feed) may also revoke a user's access token, or a refresh token, which ends its session. Personal access tokens and ingest keys are revoked by their owners (unsupported_token_type). token_type_hint is accepted and not needed.",
          tags: ['OAuth'],
          security: CLIENT_AUTHENTICATION,
          consumes: ['application/x-www-form-urlencoded'],
          body: tokenBody,
          // RFC 7009 section 2.2: also for a token that is unknown, invalid or expired.
          response: { 200: z.null().describe('Revoked, or not a token (empty body)') },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const client = await requireClient(core, presentedClient(request, body), request.ip);
        await revokeToken(core, client, body.token, requestContext(request));
        // Nothing to say (section 2.2): undefined sends no body at all, where null would write "null".
        return reply.code(200).send(undefined as never);
      },
    );
  };
}

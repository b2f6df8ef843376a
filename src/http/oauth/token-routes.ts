import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Core, issueClientToken, OAuthError, requireClient } from '../../core/index.js';
import { presentedClient } from './presented-client.js';
import { CLIENT_AUTHENTICATION, formBody, OAUTH_PATHS } from './schemas.js';

const tokenRequest = formBody({
  grant_type: z.string().optional(),
  scope: z.string().max(1024).optional(),
});

const tokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  scope: z.string(),
});

/** POST /oauth/token: the client credentials grant (RFC 6749 section 4.4). */
export function tokenRoutes(core: Core): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      OAUTH_PATHS.token,
      {
        schema: {
          summary: 'Client credentials grant (RFC 6749 section 4.4): an RFC 9068 access token for the client',
          tags: ['OAuth'],
          security: CLIENT_AUTHENTICATION,
          consumes: ['application/x-www-form-urlencoded'],
          body: tokenRequest,
          response: { 200: tokenResponse },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const client = await requireClient(core, presentedClient(request, body), request.ip);
        if (body.grant_type === undefined) throw new OAuthError('invalid_request', 'grant_type is required');
        if (body.grant_type !== 'client_credentials') {
          throw new OAuthError('unsupported_grant_type', 'This server issues tokens by client_credentials only');
        }
        const issued = await issueClientToken(core, client, body.scope);
        return reply
          .header('cache-control', 'no-store')
          .header('pragma', 'no-cache')
          .send({
            access_token: issued.accessToken,
            token_type: 'Bearer' as const,
            expires_in: issued.expiresIn,
            scope: issued.scope,
          });
      },
    );
  };
}

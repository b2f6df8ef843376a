import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  type Core,
  clientName,
  clientScopes,
  deleteClient,
  listClients,
  registerClient,
  rotateClientSecret,
} from '../../core/index.js';
import type { OAuthClient } from '../../store/client-store.js';
import { clientAdminOf, createGuard } from '../guard.js';
import { isoTime } from '../schemas.js';
import { envelope, ok } from './envelope.js';

const clientInfo = z.object({
  clientId: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  canIntrospect: z.boolean(),
  canReadRevocations: z.boolean(),
  secretPrefix: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  secretRotatedAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

// The only answers that carry a secret; it is shown this once.
const withSecret = envelope(z.object({ client: clientInfo, clientSecret: z.string() }));

function describe(client: OAuthClient): z.infer<typeof clientInfo> {
  return {
    clientId: client.id,
    name: client.name,
    scopes: client.scopes,
    canIntrospect: client.canIntrospect,
    canReadRevocations: client.canReadRevocations,
    secretPrefix: client.secretPrefix,
    createdBy: client.createdBy,
    createdAt: isoTime(client.createdAt),
    secretRotatedAt: isoTime(client.secretRotatedAt),
    lastUsedAt: isoTime(client.lastUsedAt),
  };
}

const params = z.object({ id: z.string().max(128) });

/**
 * /api/v1/oauth/clients: OAuth clients, managed by an ADMIN with a session token; creating one or
 * replacing its secret mints a credential, so those need a recent login.
 */
export function v1OAuthClientRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  const recentLogin = createGuard(core, { recentLogin: true });
  return async (app) => {
    app.post(
      '/oauth/clients',
      {
        onRequest: recentLogin,
        schema: {
          body: z.object({
            name: clientName,
            scopes: clientScopes,
            canIntrospect: z.boolean().default(false),
            canReadRevocations: z.boolean().default(false),
          }),
          response: { 201: withSecret },
        },
      },
      async (request, reply) => {
        const { client, secret } = await registerClient(core, request.body, clientAdminOf(request));
        return reply.code(201).send(ok({ client: describe(client), clientSecret: secret }));
      },
    );

    app.get(
      '/oauth/clients',
      { onRequest: guard, schema: { response: { 200: envelope(z.array(clientInfo)) } } },
      async (request) => {
        clientAdminOf(request);
        return ok((await listClients(core)).map(describe));
      },
    );

    app.post(
      '/oauth/clients/:id/secret',
      { onRequest: recentLogin, schema: { params, response: { 200: withSecret } } },
      async (request) => {
        const { client, secret } = await rotateClientSecret(core, request.params.id, clientAdminOf(request));
        return ok({ client: describe(client), clientSecret: secret });
      },
    );

    app.delete(
      '/oauth/clients/:id',
      { onRequest: guard, schema: { params, response: { 200: envelope(z.object({ deleted: z.literal(true) })) } } },
      async (request) => {
        await deleteClient(core, request.params.id, clientAdminOf(request));
        return ok({ deleted: true as const });
      },
    );
  };
}

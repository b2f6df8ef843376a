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

const clientInfo = z.object({
  client_id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  can_introspect: z.boolean(),
  can_read_revocations: z.boolean(),
  secret_prefix: z.string(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  secret_rotated_at: z.string(),
  last_used_at: z.string().nullable(),
});

// The only answers that carry a secret; it is shown this once.
const withSecret = clientInfo.extend({ client_secret: z.string() });

function describe(client: OAuthClient): z.infer<typeof clientInfo> {
  return {
    client_id: client.id,
    name: client.name,
    scopes: client.scopes,
    can_introspect: client.canIntrospect,
    can_read_revocations: client.canReadRevocations,
    secret_prefix: client.secretPrefix,
    created_by: client.createdBy,
    created_at: isoTime(client.createdAt),
    secret_rotated_at: isoTime(client.secretRotatedAt),
    last_used_at: isoTime(client.lastUsedAt),
  };
}

const params = z.object({ id: z.string().max(128) });

/** /api/oauth/clients: the flat twin of the v1 OAuth client routes (ADMIN, session token). */
export function flatOAuthClientRoutes(core: Core): FastifyPluginAsyncZod {
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
            can_introspect: z.boolean().default(false),
            can_read_revocations: z.boolean().default(false),
          }),
          response: { 201: withSecret },
        },
      },
      async (request, reply) => {
        const { name, scopes, can_introspect, can_read_revocations } = request.body;
        const input = { name, scopes, canIntrospect: can_introspect, canReadRevocations: can_read_revocations };
        const { client, secret } = await registerClient(core, input, clientAdminOf(request));
        return reply.code(201).send({ ...describe(client), client_secret: secret });
      },
    );

    app.get(
      '/oauth/clients',
      { onRequest: guard, schema: { response: { 200: z.object({ items: z.array(clientInfo) }) } } },
      async (request) => {
        clientAdminOf(request);
        return { items: (await listClients(core)).map(describe) };
      },
    );

    app.post(
      '/oauth/clients/:id/secret',
      { onRequest: recentLogin, schema: { params, response: { 200: withSecret } } },
      async (request) => {
        const { client, secret } = await rotateClientSecret(core, request.params.id, clientAdminOf(request));
        return { ...describe(client), client_secret: secret };
      },
    );

    app.delete(
      '/oauth/clients/:id',
      { onRequest: guard, schema: { params, response: { 200: z.object({ detail: z.string() }) } } },
      async (request) => {
        await deleteClient(core, request.params.id, clientAdminOf(request));
        return { detail: 'OAuth client deleted' };
      },
    );
  };
}

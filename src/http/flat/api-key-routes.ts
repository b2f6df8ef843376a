import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuthError, type Core, currentIngestKey, generateIngestKey, revokeIngestKey } from '../../core/index.js';
import { createGuard, sessionOf } from '../guard.js';
import { isoTime } from '../schemas.js';

const keyInfo = z.object({
  id: z.string(),
  prefix: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
});

/** /api/settings/api-key: the ingest key (Settings -> API Key), managed with a session token only. */
export function flatApiKeyRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  const recentLogin = createGuard(core, { recentLogin: true });
  return async (app) => {
    app.post(
      '/settings/api-key',
      {
        onRequest: recentLogin,
        schema: {
          // `replace: true` confirms replacing an existing key (which stops working at once).
          // No body at all is fine: Fastify passes it as null.
          body: z.object({ replace: z.boolean().optional() }).nullish(),
          response: { 201: keyInfo.extend({ api_key: z.string() }) },
        },
      },
      async (request, reply) => {
        const { credential, secret } = await generateIngestKey(
          core,
          sessionOf(request).userId,
          request.body?.replace ?? false,
        );
        return reply.code(201).send({
          id: credential.id,
          prefix: credential.prefix,
          created_at: isoTime(credential.createdAt),
          last_used_at: null,
          api_key: secret,
        });
      },
    );

    app.get('/settings/api-key', { onRequest: guard, schema: { response: { 200: keyInfo } } }, async (request) => {
      const key = await currentIngestKey(core, sessionOf(request).userId);
      if (!key) throw new AuthError('API_KEY_NOT_FOUND');
      return {
        id: key.id,
        prefix: key.prefix,
        created_at: isoTime(key.createdAt),
        last_used_at: isoTime(key.lastUsedAt),
      };
    });

    app.delete(
      '/settings/api-key',
      { onRequest: guard, schema: { response: { 200: z.object({ detail: z.string() }) } } },
      async (request) => {
        await revokeIngestKey(core, sessionOf(request).userId);
        return { detail: 'API key revoked' };
      },
    );
  };
}

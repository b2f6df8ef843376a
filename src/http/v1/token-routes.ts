import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Core, createCredential, listPersonalAccessTokens, revokeCredential, SCOPES } from '../../core/index.js';
import type { Credential } from '../../store/credential-store.js';
import { createGuard, sessionOf } from '../guard.js';
import { isoTime } from '../schemas.js';
import { envelope, ok } from './envelope.js';

const tokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

function describe(credential: Credential): z.infer<typeof tokenInfo> {
  return {
    id: credential.id,
    name: credential.name,
    scopes: credential.scopes,
    prefix: credential.prefix,
    createdAt: isoTime(credential.createdAt),
    lastUsedAt: isoTime(credential.lastUsedAt),
  };
}

/** /api/v1/tokens: personal access tokens, managed with a session token only. */
export function v1TokenRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  const recentLogin = createGuard(core, { recentLogin: true });
  return async (app) => {
    app.post(
      '/tokens',
      {
        onRequest: recentLogin,
        schema: {
          body: z.object({
            name: z.string().trim().min(1, 'is required').max(100),
            scopes: z
              .array(z.enum(SCOPES))
              .min(1, 'needs at least one scope')
              .refine((scopes) => new Set(scopes).size === scopes.length, 'must not repeat a scope'),
          }),
          response: { 201: envelope(tokenInfo.extend({ token: z.string() })) },
        },
      },
      async (request, reply) => {
        const { credential, secret } = await createCredential(core, {
          userId: sessionOf(request).userId,
          kind: 'pat',
          name: request.body.name,
          scopes: request.body.scopes,
        });
        return reply.code(201).send(ok({ ...describe(credential), token: secret }));
      },
    );

    app.get(
      '/tokens',
      { onRequest: guard, schema: { response: { 200: envelope(z.array(tokenInfo)) } } },
      async (request) => ok((await listPersonalAccessTokens(core, sessionOf(request).userId)).map(describe)),
    );

    app.delete(
      '/tokens/:id',
      {
        onRequest: guard,
        schema: {
          params: z.object({ id: z.string().max(64) }),
          response: { 200: envelope(z.object({ revoked: z.literal(true) })) },
        },
      },
      async (request) => {
        await revokeCredential(core, sessionOf(request).userId, request.params.id, 'pat');
        return ok({ revoked: true as const });
      },
    );
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Core, listSessions, revokeAllUserSessions, revokeUserSession } from '../../core/index.js';
import { createGuard, requestContext, sessionOf } from '../guard.js';
import { isoTime } from '../schemas.js';

const sessionInfo = z.object({
  id: z.string(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  created_at: z.string(),
  last_used_at: z.string(),
  current: z.boolean(),
});

/** /api/auth/sessions: the flat twin of the v1 sessions routes. */
export function flatSessionRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  return async (app) => {
    app.get(
      '/auth/sessions',
      { onRequest: guard, schema: { response: { 200: z.object({ items: z.array(sessionInfo) }) } } },
      async (request) => {
        const sessions = await listSessions(core, sessionOf(request));
        return {
          items: sessions.map((s) => ({
            id: s.id,
            ip: s.ip,
            user_agent: s.userAgent,
            created_at: isoTime(s.createdAt),
            last_used_at: isoTime(s.lastUsedAt),
            current: s.current,
          })),
        };
      },
    );

    app.delete(
      '/auth/sessions/:id',
      {
        onRequest: guard,
        schema: { params: z.object({ id: z.string().max(64) }), response: { 200: z.object({ detail: z.string() }) } },
      },
      async (request) => {
        await revokeUserSession(core, sessionOf(request).userId, request.params.id, requestContext(request));
        return { detail: 'Session revoked' };
      },
    );

    app.delete(
      '/auth/sessions',
      { onRequest: guard, schema: { response: { 200: z.object({ revoked: z.number().int() }) } } },
      async (request) => ({
        revoked: await revokeAllUserSessions(core, sessionOf(request).userId, requestContext(request)),
      }),
    );
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Core, listSessions, revokeAllUserSessions, revokeUserSession } from '../../core/index.js';
import { createGuard, requestContext, sessionOf } from '../guard.js';
import { clearRefreshCookie, wantsCookieMode } from '../refresh-cookie.js';
import { isoTime } from '../schemas.js';
import { envelope, ok } from './envelope.js';

const sessionInfo = z.object({
  id: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  current: z.boolean(),
});

/** /api/v1/auth/sessions: the devices signed in, with revoke one and sign out everywhere. */
export function v1SessionRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  return async (app) => {
    app.get(
      '/auth/sessions',
      { onRequest: guard, schema: { response: { 200: envelope(z.array(sessionInfo)) } } },
      async (request) => {
        const sessions = await listSessions(core, sessionOf(request));
        return ok(
          sessions.map((s) => ({
            id: s.id,
            ip: s.ip,
            userAgent: s.userAgent,
            createdAt: isoTime(s.createdAt),
            lastUsedAt: isoTime(s.lastUsedAt),
            current: s.current,
          })),
        );
      },
    );

    app.delete(
      '/auth/sessions/:id',
      {
        onRequest: guard,
        schema: {
          params: z.object({ id: z.string().max(64) }),
          response: { 200: envelope(z.object({ revoked: z.literal(true) })) },
        },
      },
      async (request) => {
        await revokeUserSession(core, sessionOf(request).userId, request.params.id, requestContext(request));
        return ok({ revoked: true as const });
      },
    );

    app.delete(
      '/auth/sessions',
      { onRequest: guard, schema: { response: { 200: envelope(z.object({ revoked: z.number().int() })) } } },
      async (request, reply) => {
        const revoked = await revokeAllUserSessions(core, sessionOf(request).userId, requestContext(request));
        // This session ended too: its refresh cookie is dead, so the browser may as well drop it.
        if (wantsCookieMode(request)) clearRefreshCookie(core, request, reply);
        return ok({ revoked });
      },
    );
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { login } from '../../core/login.js';
import { logout, refreshSession, startSession } from '../../core/sessions.js';
import { publicUser, registerUser } from '../../core/users.js';
import { AuthError } from '../../core/errors.js';
import { createGuard, principalOf, requestContext, sessionOf } from '../guard.js';
import { email, jwt, loginPassword, newPassword, user } from '../schemas.js';
import { envelope, ok } from './envelope.js';

export const tokens = z.object({ user, token: z.string(), refreshToken: z.string() });
const secondStep = z.object({ requires2FA: z.literal(true), pendingToken: z.string() });

/** /api/v1/auth/*: login, refresh (always rotating), logout, me, register. */
export function v1AuthRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  return async (app) => {
    app.post(
      '/auth/register',
      { schema: { body: z.object({ email, password: newPassword }), response: { 201: envelope(tokens) } } },
      async (request, reply) => {
        const ctx = requestContext(request);
        const created = await registerUser(core, request.body, ctx);
        const issued = await startSession(core, created, ctx);
        return reply.code(201).send(ok({ user: issued.user, token: issued.accessToken, refreshToken: issued.refreshToken }));
      },
    );

    app.post(
      '/auth/login',
      { schema: { body: z.object({ email, password: loginPassword }), response: { 200: envelope(z.union([tokens, secondStep])) } } },
      async (request) => {
        const outcome = await login(core, request.body, requestContext(request));
        if (outcome.kind === 'second-factor') return ok({ requires2FA: true as const, pendingToken: outcome.pendingToken });
        const issued = outcome.tokens;
        return ok({ user: issued.user, token: issued.accessToken, refreshToken: issued.refreshToken });
      },
    );

    app.post(
      '/auth/refresh',
      {
        schema: {
          body: z.object({ refreshToken: jwt }),
          response: { 200: envelope(z.object({ token: z.string(), refreshToken: z.string() })) },
        },
      },
      async (request) => {
        const refreshed = await refreshSession(core, request.body.refreshToken, requestContext(request), true);
        return ok({ token: refreshed.accessToken, refreshToken: refreshed.refreshToken! });
      },
    );

    app.post(
      '/auth/logout',
      { onRequest: guard, schema: { response: { 200: envelope(z.object({ message: z.string() })) } } },
      async (request) => {
        await logout(core, sessionOf(request), requestContext(request));
        return ok({ message: 'Logged out' });
      },
    );

    app.get('/auth/me', { onRequest: guard, schema: { response: { 200: envelope(z.object({ user })) } } }, async (request) => {
      const found = await core.stores.users.findById(principalOf(request).userId);
      if (!found) throw new AuthError('TOKEN_REVOKED');
      return ok({ user: publicUser(found) });
    });
  };
}

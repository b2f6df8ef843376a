import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { changePassword } from '../../core/password-change.js';
import { createGuard, requestContext, sessionOf } from '../guard.js';
import { loginPassword, newPassword } from '../schemas.js';
import { envelope, ok } from './envelope.js';

/** /api/v1/auth/change-password: a new password for the caller, other sessions signed out by default. */
export function v1PasswordRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  return async (app) => {
    app.post(
      '/auth/change-password',
      {
        onRequest: guard,
        schema: {
          body: z.object({ currentPassword: loginPassword, newPassword, revokeOtherSessions: z.boolean().default(true) }),
          response: { 200: envelope(z.object({ message: z.string(), otherSessionsRevoked: z.number().int() })) },
        },
      },
      async (request) => {
        const otherSessionsRevoked = await changePassword(core, sessionOf(request), request.body, requestContext(request));
        return ok({ message: 'Password changed', otherSessionsRevoked });
      },
    );
  };
}

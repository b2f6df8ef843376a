import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { changePassword, type Core, reauthenticate } from '../../core/index.js';
import { createGuard, requestContext, sessionOf } from '../guard.js';
import { loginPassword, newPassword, secondFactorCode } from '../schemas.js';
import { flatRefreshPolicy, tokenPair, tokenPairBody } from './auth-routes.js';

/** /api/auth/change-password and /api/auth/reauthenticate: the flat twins of the v1 routes. */
export function flatPasswordRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  return async (app) => {
    app.post(
      '/auth/change-password',
      {
        onRequest: guard,
        schema: {
          body: z.object({
            current_password: loginPassword,
            new_password: newPassword,
            code: secondFactorCode.optional(),
            revoke_other_sessions: z.boolean().default(true),
          }),
          response: { 200: tokenPair.extend({ detail: z.string(), other_sessions_revoked: z.number().int() }) },
        },
      },
      async (request) => {
        const { current_password, new_password, code, revoke_other_sessions } = request.body;
        const change = {
          currentPassword: current_password,
          newPassword: new_password,
          code,
          revokeOtherSessions: revoke_other_sessions,
        };
        const changed = await changePassword(
          core,
          sessionOf(request),
          change,
          requestContext(request),
          flatRefreshPolicy(core),
        );
        return {
          detail: 'Password changed',
          other_sessions_revoked: changed.otherSessionsRevoked,
          ...tokenPairBody(changed.tokens),
        };
      },
    );

    app.post(
      '/auth/reauthenticate',
      {
        onRequest: guard,
        schema: {
          body: z.object({ password: loginPassword, code: secondFactorCode.optional() }),
          response: { 200: tokenPair },
        },
      },
      async (request) =>
        tokenPairBody(
          await reauthenticate(
            core,
            sessionOf(request),
            request.body,
            requestContext(request),
            flatRefreshPolicy(core),
          ),
        ),
    );
  };
}

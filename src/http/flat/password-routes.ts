import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { beginPasskeyStepUp, changePassword, type Core, reauthenticate } from '../../core/index.js';
import { createGuard, requestContext, sessionOf } from '../guard.js';
import { authenticationResponse, oneOf, requestOptions } from '../passkey-schemas.js';
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
      '/auth/reauthenticate/passkey-options',
      { onRequest: guard, schema: { response: { 200: requestOptions } } },
      async (request) => beginPasskeyStepUp(core, sessionOf(request).userId),
    );

    app.post(
      '/auth/reauthenticate',
      {
        onRequest: guard,
        schema: {
          body: z.object({
            password: loginPassword.optional(),
            code: secondFactorCode.optional(),
            passkey_response: authenticationResponse.optional(),
          }),
          response: { 200: tokenPair },
        },
      },
      async (request) => {
        const { password, code, passkey_response } = request.body;
        const proof = oneOf(['password', password], ['passkey_response', passkey_response]);
        const renewed = await reauthenticate(
          core,
          sessionOf(request),
          'first' in proof ? { password: proof.first, code } : { passkeyResponse: proof.second },
          requestContext(request),
          flatRefreshPolicy(core),
        );
        return tokenPairBody(renewed);
      },
    );
  };
}

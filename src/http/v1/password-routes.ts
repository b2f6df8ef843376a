import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { beginPasskeyStepUp, changePassword, type Core, reauthenticate } from '../../core/index.js';
import { createGuard, requestContext, sessionOf } from '../guard.js';
import { authenticationResponse, oneOf, requestOptions } from '../passkey-schemas.js';
import { loginPassword, newPassword, secondFactorCode } from '../schemas.js';
import { sessionData, tokens, V1_REFRESH_POLICY } from './auth-routes.js';
import { envelope, ok } from './envelope.js';

/**
 * The routes where a signed-in caller gives the password again, each answered with a new session
 * that replaces the caller's: /auth/change-password (other sessions are signed out by default) and
 * /auth/reauthenticate (step-up after RECENT_LOGIN_REQUIRED; a passkey may stand for the password
 * and code, its options from /auth/reauthenticate/passkey-options).
 */
export function v1PasswordRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  return async (app) => {
    app.post(
      '/auth/change-password',
      {
        onRequest: guard,
        schema: {
          body: z.object({
            currentPassword: loginPassword,
            newPassword,
            code: secondFactorCode.optional(),
            revokeOtherSessions: z.boolean().default(true),
          }),
          response: { 200: envelope(tokens.extend({ message: z.string(), otherSessionsRevoked: z.number().int() })) },
        },
      },
      async (request, reply) => {
        const changed = await changePassword(
          core,
          sessionOf(request),
          request.body,
          requestContext(request),
          V1_REFRESH_POLICY,
        );
        return ok({
          message: 'Password changed',
          otherSessionsRevoked: changed.otherSessionsRevoked,
          ...sessionData(core, request, reply, changed.tokens),
        });
      },
    );

    app.post(
      '/auth/reauthenticate/passkey-options',
      { onRequest: guard, schema: { response: { 200: envelope(requestOptions) } } },
      async (request) => ok(await beginPasskeyStepUp(core, sessionOf(request).userId)),
    );

    app.post(
      '/auth/reauthenticate',
      {
        onRequest: guard,
        schema: {
          body: z.object({
            password: loginPassword.optional(),
            code: secondFactorCode.optional(),
            passkeyResponse: authenticationResponse.optional(),
          }),
          response: { 200: envelope(tokens) },
        },
      },
      async (request, reply) => {
        const { password, code, passkeyResponse } = request.body;
        const proof = oneOf(['password', password], ['passkeyResponse', passkeyResponse]);
        const renewed = await reauthenticate(
          core,
          sessionOf(request),
          'first' in proof ? { password: proof.first, code } : { passkeyResponse: proof.second },
          requestContext(request),
          V1_REFRESH_POLICY,
        );
        return ok(sessionData(core, request, reply, renewed));
      },
    );
  };
}

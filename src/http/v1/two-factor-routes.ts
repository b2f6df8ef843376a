import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  beginPasskeySecondFactor,
  beginTotpSetup,
  callerUser,
  completePendingLogin,
  confirmTotpSetup,
  type Core,
  disableTotp,
  regenerateRecoveryCodes,
} from '../../core/index.js';
import { rememberDevice } from '../device-cookie.js';
import { createGuard, requestContext, sessionOf } from '../guard.js';
import { authenticationResponse, oneOf, requestOptions } from '../passkey-schemas.js';
import { renderQr } from '../qr.js';
import { jwt, loginPassword, secondFactorCode } from '../schemas.js';
import { sessionBody, tokens, V1_REFRESH_POLICY } from './auth-routes.js';
import { envelope, ok } from './envelope.js';

const recoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });

/**
 * /api/v1/auth/2fa/* (enrolment, session tokens only) and the second login step /auth/verify-2fa,
 * answered with a code or a passkey (its options from /auth/verify-2fa/passkey-options).
 */
export function v1TwoFactorRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  const recentLogin = createGuard(core, { recentLogin: true });
  return async (app) => {
    app.post(
      '/auth/2fa/setup',
      {
        onRequest: recentLogin,
        schema: {
          response: {
            200: envelope(
              z.object({
                secret: z.string(),
                otpauthUrl: z.string(),
                qrCodeSvg: z.string(),
                qrCodeDataUrl: z.string(),
              }),
            ),
          },
        },
      },
      async (request) => {
        const setup = await beginTotpSetup(core, await callerUser(core, sessionOf(request).userId));
        const qr = await renderQr(setup.uri);
        return ok({ secret: setup.secret, otpauthUrl: setup.uri, qrCodeSvg: qr.svg, qrCodeDataUrl: qr.pngDataUrl });
      },
    );

    app.post(
      '/auth/2fa/verify-setup',
      {
        onRequest: guard,
        schema: {
          body: z.object({ code: secondFactorCode }),
          response: { 200: envelope(recoveryCodes.extend({ enabled: z.literal(true) })) },
        },
      },
      async (request) => {
        const codes = await confirmTotpSetup(
          core,
          sessionOf(request).userId,
          request.body.code,
          requestContext(request),
        );
        return ok({ enabled: true as const, recoveryCodes: codes });
      },
    );

    app.post(
      '/auth/2fa/disable',
      {
        onRequest: guard,
        schema: {
          body: z.object({ code: secondFactorCode, password: loginPassword }),
          response: { 200: envelope(z.object({ enabled: z.literal(false) })) },
        },
      },
      async (request) => {
        await disableTotp(core, sessionOf(request).userId, request.body, requestContext(request));
        return ok({ enabled: false as const });
      },
    );

    app.post(
      '/auth/2fa/recovery-codes',
      {
        onRequest: recentLogin,
        schema: { body: z.object({ code: secondFactorCode }), response: { 200: envelope(recoveryCodes) } },
      },
      async (request) =>
        ok({
          recoveryCodes: await regenerateRecoveryCodes(
            core,
            sessionOf(request).userId,
            request.body.code,
            requestContext(request),
          ),
        }),
    );

    app.post(
      '/auth/verify-2fa/passkey-options',
      { schema: { body: z.object({ pendingToken: jwt }), response: { 200: envelope(requestOptions) } } },
      async (request) => ok(await beginPasskeySecondFactor(core, request.body.pendingToken, requestContext(request))),
    );

    app.post(
      '/auth/verify-2fa',
      {
        schema: {
          body: z.object({
            pendingToken: jwt,
            code: secondFactorCode.optional(),
            passkeyResponse: authenticationResponse.optional(),
          }),
          response: { 200: envelope(tokens) },
        },
      },
      async (request, reply) => {
        const { pendingToken, code, passkeyResponse } = request.body;
        const proof = oneOf(['code', code], ['passkeyResponse', passkeyResponse]);
        const issued = await completePendingLogin(
          core,
          pendingToken,
          'first' in proof ? { code: proof.first } : { passkeyResponse: proof.second },
          requestContext(request),
          V1_REFRESH_POLICY,
        );
        const body = sessionBody(core, request, reply, issued);
        await rememberDevice(core, request, reply, issued.user.email);
        return body;
      },
    );
  };
}

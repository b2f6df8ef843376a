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
import { flatRefreshPolicy, tokenPair, tokenPairBody } from './auth-routes.js';

/** /api/auth/mfa/*: the table in koeiq-auth.txt, plus recovery-code regeneration. */
export function flatMfaRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  const recentLogin = createGuard(core, { recentLogin: true });
  return async (app) => {
    app.post(
      '/auth/mfa/setup',
      {
        onRequest: recentLogin,
        schema: {
          response: {
            200: z.object({
              secret: z.string(),
              otpauth_url: z.string(),
              qr_code_svg: z.string(),
              qr_code_data_url: z.string(),
            }),
          },
        },
      },
      async (request) => {
        const setup = await beginTotpSetup(core, await callerUser(core, sessionOf(request).userId));
        const qr = await renderQr(setup.uri);
        return { secret: setup.secret, otpauth_url: setup.uri, qr_code_svg: qr.svg, qr_code_data_url: qr.pngDataUrl };
      },
    );

    app.post(
      '/auth/mfa/verify-setup',
      {
        onRequest: guard,
        schema: {
          body: z.object({ code: secondFactorCode }),
          response: { 200: z.object({ enabled: z.literal(true), recovery_codes: z.array(z.string()) }) },
        },
      },
      async (request) => ({
        enabled: true as const,
        recovery_codes: await confirmTotpSetup(
          core,
          sessionOf(request).userId,
          request.body.code,
          requestContext(request),
        ),
      }),
    );

    app.post(
      '/auth/mfa/passkey-options',
      { schema: { body: z.object({ mfa_token: jwt }), response: { 200: requestOptions } } },
      async (request) => beginPasskeySecondFactor(core, request.body.mfa_token, requestContext(request)),
    );

    app.post(
      '/auth/mfa/verify',
      {
        schema: {
          body: z.object({
            mfa_token: jwt,
            code: secondFactorCode.optional(),
            passkey_response: authenticationResponse.optional(),
          }),
          response: { 200: tokenPair },
        },
      },
      async (request, reply) => {
        const { mfa_token, code, passkey_response } = request.body;
        const proof = oneOf(['code', code], ['passkey_response', passkey_response]);
        const issued = await completePendingLogin(
          core,
          mfa_token,
          'first' in proof ? { code: proof.first } : { passkeyResponse: proof.second },
          requestContext(request),
          flatRefreshPolicy(core),
        );
        await rememberDevice(core, request, reply, issued.user.email);
        return tokenPairBody(issued);
      },
    );

    app.post(
      '/auth/mfa/disable',
      {
        onRequest: guard,
        schema: {
          body: z.object({ code: secondFactorCode, password: loginPassword }),
          response: { 200: z.object({ enabled: z.literal(false) }) },
        },
      },
      async (request) => {
        await disableTotp(core, sessionOf(request).userId, request.body, requestContext(request));
        return { enabled: false as const };
      },
    );

    app.post(
      '/auth/mfa/recovery-codes',
      {
        onRequest: recentLogin,
        schema: {
          body: z.object({ code: secondFactorCode }),
          response: { 200: z.object({ recovery_codes: z.array(z.string()) }) },
        },
      },
      async (request) => ({
        recovery_codes: await regenerateRecoveryCodes(
          core,
          sessionOf(request).userId,
          request.body.code,
          requestContext(request),
        ),
      }),
    );
  };
}

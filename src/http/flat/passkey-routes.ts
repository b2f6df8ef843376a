import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  beginPasskeyLogin,
  beginPasskeyRegistration,
  completePasskeyLogin,
  completePasskeyRegistration,
  type Core,
  deletePasskey,
  listPasskeys,
  renamePasskey,
} from '../../core/index.js';
import type { Passkey } from '../../store/passkey-store.js';
import { rememberDevice } from '../device-cookie.js';
import { createGuard, requestContext, sessionOf } from '../guard.js';
import {
  authenticationResponse,
  creationOptions,
  passkeyId,
  passkeyName,
  registrationResponse,
  requestOptions,
} from '../passkey-schemas.js';
import { email, isoTime } from '../schemas.js';
import { flatRefreshPolicy, tokenPair, tokenPairBody } from './auth-routes.js';

const passkeyInfo = z.object({
  id: z.string(),
  name: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  backed_up: z.boolean(),
  transports: z.array(z.string()),
});

function passkeyBody(passkey: Passkey): z.infer<typeof passkeyInfo> {
  return {
    id: passkey.id,
    name: passkey.name,
    created_at: isoTime(passkey.createdAt),
    last_used_at: isoTime(passkey.lastUsedAt),
    backed_up: passkey.backedUp,
    transports: passkey.transports,
  };
}

/**
 * /api/auth/passkeys/*: the flat twins of the v1 routes. Our own fields are snake_case; the
 * WebAuthn options and responses keep the names browsers read and write.
 */
export function flatPasskeyRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  const recentLogin = createGuard(core, { recentLogin: true });
  return async (app) => {
    app.post(
      '/auth/passkeys/register/options',
      { onRequest: recentLogin, schema: { response: { 200: creationOptions } } },
      async (request) => beginPasskeyRegistration(core, sessionOf(request).userId),
    );

    app.post(
      '/auth/passkeys/register/verify',
      {
        onRequest: recentLogin,
        schema: {
          body: z.object({ response: registrationResponse, name: passkeyName.optional() }),
          response: { 201: passkeyInfo },
        },
      },
      async (request, reply) => {
        const passkey = await completePasskeyRegistration(
          core,
          sessionOf(request).userId,
          request.body,
          requestContext(request),
        );
        return reply.code(201).send(passkeyBody(passkey));
      },
    );

    app.get(
      '/auth/passkeys',
      { onRequest: guard, schema: { response: { 200: z.object({ items: z.array(passkeyInfo) }) } } },
      async (request) => ({ items: (await listPasskeys(core, sessionOf(request).userId)).map(passkeyBody) }),
    );

    app.patch(
      '/auth/passkeys/:id',
      {
        onRequest: guard,
        schema: { params: passkeyId, body: z.object({ name: passkeyName }), response: { 200: passkeyInfo } },
      },
      async (request) => {
        const { userId } = sessionOf(request);
        return passkeyBody(
          await renamePasskey(core, userId, request.params.id, request.body.name, requestContext(request)),
        );
      },
    );

    app.delete(
      '/auth/passkeys/:id',
      { onRequest: recentLogin, schema: { params: passkeyId, response: { 200: z.object({ detail: z.string() }) } } },
      async (request) => {
        await deletePasskey(core, sessionOf(request).userId, request.params.id, requestContext(request));
        return { detail: 'Passkey deleted' };
      },
    );

    app.post(
      '/auth/passkeys/login/options',
      {
        schema: {
          body: z.object({ email: email.optional() }).nullish(),
          response: { 200: requestOptions.extend({ challenge_token: z.string() }) },
        },
      },
      async (request) => {
        const { options, challengeToken } = await beginPasskeyLogin(core, request.body?.email, requestContext(request));
        return { ...options, challenge_token: challengeToken };
      },
    );

    app.post(
      '/auth/passkeys/login/verify',
      {
        schema: {
          body: z.object({ challenge_token: z.string().min(1).max(128), response: authenticationResponse }),
          response: { 200: tokenPair },
        },
      },
      async (request, reply) => {
        const issued = await completePasskeyLogin(
          core,
          request.body.challenge_token,
          request.body.response,
          requestContext(request),
          flatRefreshPolicy(core),
        );
        await rememberDevice(core, request, reply, issued.user.email);
        return tokenPairBody(issued);
      },
    );
  };
}

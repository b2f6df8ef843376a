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
import { sessionBody, tokens, V1_REFRESH_POLICY } from './auth-routes.js';
import { envelope, ok } from './envelope.js';

const passkeyInfo = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  backedUp: z.boolean(),
  transports: z.array(z.string()),
});

function passkeyBody(passkey: Passkey): z.infer<typeof passkeyInfo> {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: isoTime(passkey.createdAt),
    lastUsedAt: isoTime(passkey.lastUsedAt),
    backedUp: passkey.backedUp,
    transports: passkey.transports,
  };
}

/** /api/v1/auth/passkeys/*: registering and managing passkeys, and signing in with one. */
export function v1PasskeyRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  const recentLogin = createGuard(core, { recentLogin: true });
  return async (app) => {
    app.post(
      '/auth/passkeys/register/options',
      { onRequest: recentLogin, schema: { response: { 200: envelope(creationOptions) } } },
      async (request) => ok(await beginPasskeyRegistration(core, sessionOf(request).userId)),
    );

    app.post(
      '/auth/passkeys/register/verify',
      {
        onRequest: recentLogin,
        schema: {
          body: z.object({ response: registrationResponse, name: passkeyName.optional() }),
          response: { 201: envelope(passkeyInfo) },
        },
      },
      async (request, reply) => {
        const passkey = await completePasskeyRegistration(
          core,
          sessionOf(request).userId,
          request.body,
          requestContext(request),
        );
        return reply.code(201).send(ok(passkeyBody(passkey)));
      },
    );

    app.get(
      '/auth/passkeys',
      { onRequest: guard, schema: { response: { 200: envelope(z.array(passkeyInfo)) } } },
      async (request) => ok((await listPasskeys(core, sessionOf(request).userId)).map(passkeyBody)),
    );

    app.patch(
      '/auth/passkeys/:id',
      {
        onRequest: guard,
        schema: { params: passkeyId, body: z.object({ name: passkeyName }), response: { 200: envelope(passkeyInfo) } },
      },
      async (request) => {
        const { userId } = sessionOf(request);
        const renamed = await renamePasskey(
          core,
          userId,
          request.params.id,
          request.body.name,
          requestContext(request),
        );
        return ok(passkeyBody(renamed));
      },
    );

    app.delete(
      '/auth/passkeys/:id',
      {
        onRequest: recentLogin,
        schema: { params: passkeyId, response: { 200: envelope(z.object({ deleted: z.literal(true) })) } },
      },
      async (request) => {
        await deletePasskey(core, sessionOf(request).userId, request.params.id, requestContext(request));
        return ok({ deleted: true as const });
      },
    );

    app.post(
      '/auth/passkeys/login/options',
      {
        schema: {
          body: z.object({ email: email.optional() }).nullish(),
          response: { 200: envelope(requestOptions.extend({ challengeToken: z.string() })) },
        },
      },
      async (request) => {
        const { options, challengeToken } = await beginPasskeyLogin(core, request.body?.email, requestContext(request));
        return ok({ ...options, challengeToken });
      },
    );

    app.post(
      '/auth/passkeys/login/verify',
      {
        schema: {
          body: z.object({ challengeToken: z.string().min(1).max(128), response: authenticationResponse }),
          response: { 200: envelope(tokens) },
        },
      },
      async (request, reply) => {
        const issued = await completePasskeyLogin(
          core,
          request.body.challengeToken,
          request.body.response,
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

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  confirmEmailChange,
  type Core,
  publicUser,
  requestEmailChange,
  requestPasswordReset,
  requireEmail,
  resendVerificationLink,
  resetPasswordByLink,
  type User,
  verifyEmail,
} from '../../core/index.js';
import { EMAIL_MESSAGES, optionalSessionGuard, resendTarget } from '../email-requests.js';
import { createGuard, requestContext, sessionOf } from '../guard.js';
import { email, emailToken, loginPassword, newPassword, secondFactorCode, user } from '../schemas.js';
import { envelope, ok } from './envelope.js';

/** The v1 user with its verification state. */
export const v1User = user.extend({ emailVerified: z.boolean() });

export function v1UserBody(account: User): z.infer<typeof v1User> {
  return { ...publicUser(account), emailVerified: account.emailVerifiedAt !== null };
}

const message = envelope(z.object({ message: z.string() }));

/** /api/v1/auth/password/{forgot,reset} and /api/v1/auth/email/*: the account's e-mail flows. */
export function v1EmailRoutes(core: Core): FastifyPluginAsyncZod {
  const emailOn = async () => requireEmail(core);
  const recentLogin = createGuard(core, { recentLogin: true });
  return async (app) => {
    app.post(
      '/auth/password/forgot',
      { onRequest: emailOn, schema: { body: z.object({ email }), response: { 202: message } } },
      async (request, reply) => {
        requestPasswordReset(core, request.body.email, requestContext(request));
        return reply.code(202).send(ok({ message: EMAIL_MESSAGES.forgot }));
      },
    );

    app.post(
      '/auth/password/reset',
      {
        onRequest: emailOn,
        schema: {
          body: z.object({ token: emailToken, password: newPassword, code: secondFactorCode.optional() }),
          response: { 200: message },
        },
      },
      async (request) => {
        await resetPasswordByLink(core, request.body, requestContext(request));
        return ok({ message: EMAIL_MESSAGES.reset });
      },
    );

    app.post(
      '/auth/email/verify',
      {
        onRequest: emailOn,
        schema: { body: z.object({ token: emailToken }), response: { 200: envelope(z.object({ user: v1User })) } },
      },
      async (request) => ok({ user: v1UserBody(await verifyEmail(core, request.body.token, requestContext(request))) }),
    );

    app.post(
      '/auth/email/resend',
      {
        onRequest: optionalSessionGuard(core),
        schema: {
          body: z.object({ email: email.optional() }).nullish(),
          response: { 202: message },
        },
      },
      async (request, reply) => {
        resendVerificationLink(core, resendTarget(request, request.body?.email), requestContext(request));
        return reply.code(202).send(ok({ message: EMAIL_MESSAGES.resend }));
      },
    );

    app.post(
      '/auth/email/change',
      {
        onRequest: [emailOn, recentLogin],
        schema: { body: z.object({ newEmail: email, password: loginPassword }), response: { 202: message } },
      },
      async (request, reply) => {
        await requestEmailChange(core, sessionOf(request).userId, request.body, requestContext(request));
        return reply.code(202).send(ok({ message: EMAIL_MESSAGES.change }));
      },
    );

    app.post(
      '/auth/email/confirm',
      {
        onRequest: emailOn,
        schema: { body: z.object({ token: emailToken }), response: { 200: envelope(z.object({ user: v1User })) } },
      },
      async (request) =>
        ok({ user: v1UserBody(await confirmEmailChange(core, request.body.token, requestContext(request))) }),
    );
  };
}

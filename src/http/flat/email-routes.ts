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

/** The flat user with its verification state. */
export const flatUser = user.extend({ email_verified: z.boolean() });

export function flatUserBody(account: User): z.infer<typeof flatUser> {
  return { ...publicUser(account), email_verified: account.emailVerifiedAt !== null };
}

const message = z.object({ message: z.string() });

/** /api/auth/password/{forgot,reset} and /api/auth/email/*: the v1 e-mail flows in snake_case. */
export function flatEmailRoutes(core: Core): FastifyPluginAsyncZod {
  const emailOn = async () => requireEmail(core);
  const recentLogin = createGuard(core, { recentLogin: true });
  return async (app) => {
    app.post(
      '/auth/password/forgot',
      { onRequest: emailOn, schema: { body: z.object({ email }), response: { 202: message } } },
      async (request, reply) => {
        requestPasswordReset(core, request.body.email, requestContext(request));
        return reply.code(202).send({ message: EMAIL_MESSAGES.forgot });
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
        return { message: EMAIL_MESSAGES.reset };
      },
    );

    app.post(
      '/auth/email/verify',
      {
        onRequest: emailOn,
        schema: { body: z.object({ token: emailToken }), response: { 200: z.object({ user: flatUser }) } },
      },
      async (request) => ({ user: flatUserBody(await verifyEmail(core, request.body.token, requestContext(request))) }),
    );

    app.post(
      '/auth/email/resend',
      {
        onRequest: optionalSessionGuard(core),
        schema: { body: z.object({ email: email.optional() }).nullish(), response: { 202: message } },
      },
      async (request, reply) => {
        resendVerificationLink(core, resendTarget(request, request.body?.email), requestContext(request));
        return reply.code(202).send({ message: EMAIL_MESSAGES.resend });
      },
    );

    app.post(
      '/auth/email/change',
      {
        onRequest: [emailOn, recentLogin],
        schema: { body: z.object({ new_email: email, password: loginPassword }), response: { 202: message } },
      },
      async (request, reply) => {
        const { new_email, password } = request.body;
        await requestEmailChange(
          core,
          sessionOf(request).userId,
          { newEmail: new_email, password },
          requestContext(request),
        );
        return reply.code(202).send({ message: EMAIL_MESSAGES.change });
      },
    );

    app.post(
      '/auth/email/confirm',
      {
        onRequest: emailOn,
        schema: { body: z.object({ token: emailToken }), response: { 200: z.object({ user: flatUser }) } },
      },
      async (request) => ({
        user: flatUserBody(await confirmEmailChange(core, request.body.token, requestContext(request))),
      }),
    );
  };
}

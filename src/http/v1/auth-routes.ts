import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AuthError,
  callerProfile,
  type Core,
  type IssuedTokens,
  login,
  logout,
  type RefreshPolicy,
  refreshSession,
  signUp,
} from '../../core/index.js';
import { rememberDevice } from '../device-cookie.js';
import { accountOf, createGuard, requestContext, sessionOf } from '../guard.js';
import { clearRefreshCookie, refreshCookieOf, setRefreshCookie, wantsCookieMode } from '../refresh-cookie.js';
import { email, jwt, loginPassword, newPassword, user } from '../schemas.js';
import { envelope, ok } from './envelope.js';
import { v1User } from './email-routes.js';

/** akol-auth.txt: refresh "returns a new access + refresh pair. The old refresh token is revoked". */
export const V1_REFRESH_POLICY: RefreshPolicy = { rotateRefreshTokens: true };

/** The login body; in cookie mode `refreshToken` goes into the HttpOnly cookie instead. */
export const tokens = z.object({ user, token: z.string(), refreshToken: z.string().optional() });
const secondStep = z.object({ requires2FA: z.literal(true), pendingToken: z.string() });
/** EMAIL_VERIFICATION=required: no token and no refreshToken, for a new and a taken address alike. */
const awaitingVerification = z
  .object({ user: v1User, emailVerificationRequired: z.literal(true) })
  .describe(
    'With EMAIL_VERIFICATION=required: the account waits for its verification link; token and refreshToken are absent',
  );

/** A new session as documented, or (cookie mode) with the refresh token in a cookie instead. */
export function sessionData(
  core: Core,
  request: FastifyRequest,
  reply: FastifyReply,
  issued: IssuedTokens,
): z.infer<typeof tokens> {
  if (!wantsCookieMode(request))
    return { user: issued.user, token: issued.accessToken, refreshToken: issued.refreshToken };
  setRefreshCookie(core, request, reply, issued.refreshToken);
  return { user: issued.user, token: issued.accessToken };
}

/** Answers a new session: sessionData in the v1 envelope. */
export function sessionBody(core: Core, request: FastifyRequest, reply: FastifyReply, issued: IssuedTokens) {
  return ok(sessionData(core, request, reply, issued));
}

/** /api/v1/auth/*: login, refresh (always rotating), logout, me, register, features. */
export function v1AuthRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  return async (app) => {
    app.get(
      '/auth/features',
      {
        schema: {
          response: {
            200: envelope(
              z.object({
                registrationEnabled: z.boolean(),
                email: z.boolean(),
                emailVerification: z.enum(['off', 'optional', 'required']),
              }),
            ),
          },
        },
      },
      async () =>
        ok({
          registrationEnabled: core.config.registrationEnabled,
          email: core.config.email,
          emailVerification: core.config.emailVerification,
        }),
    );

    app.post(
      '/auth/register',
      {
        schema: {
          body: z.object({ email, password: newPassword }),
          response: { 201: envelope(z.union([tokens, awaitingVerification])) },
        },
      },
      async (request, reply) => {
        const outcome = await signUp(core, request.body, requestContext(request), V1_REFRESH_POLICY);
        if (outcome.kind === 'verification-required')
          return reply.code(201).send(ok({ user: outcome.user, emailVerificationRequired: true as const }));
        const issued = outcome.tokens;
        const body = sessionBody(core, request, reply, issued);
        await rememberDevice(core, request, reply, issued.user.email);
        return reply.code(201).send(body);
      },
    );

    app.post(
      '/auth/login',
      {
        schema: {
          body: z.object({ email, password: loginPassword }),
          response: { 200: envelope(z.union([tokens, secondStep])) },
        },
      },
      async (request, reply) => {
        const outcome = await login(core, request.body, requestContext(request), V1_REFRESH_POLICY);
        if (outcome.kind === 'second-factor')
          return ok({ requires2FA: true as const, pendingToken: outcome.pendingToken });
        const body = sessionBody(core, request, reply, outcome.tokens);
        await rememberDevice(core, request, reply, outcome.tokens.user.email);
        return body;
      },
    );

    app.post(
      '/auth/refresh',
      {
        schema: {
          // In cookie mode the token comes from the cookie and the body may be empty.
          body: z.object({ refreshToken: jwt.optional() }).nullish(),
          response: { 200: envelope(z.object({ token: z.string(), refreshToken: z.string().optional() })) },
        },
      },
      async (request, reply) => {
        const cookieMode = wantsCookieMode(request);
        const presented = cookieMode ? refreshCookieOf(request) : request.body?.refreshToken;
        if (!presented) {
          if (cookieMode) throw new AuthError('INVALID_REFRESH_TOKEN', { message: 'No refresh cookie; sign in again' });
          throw new AuthError('VALIDATION_FAILED', { message: 'refreshToken: is required' });
        }
        try {
          const refreshed = await refreshSession(core, presented, requestContext(request), V1_REFRESH_POLICY);
          if (!cookieMode) return ok({ token: refreshed.accessToken, refreshToken: refreshed.refreshToken! });
          setRefreshCookie(core, request, reply, refreshed.refreshToken!);
          return ok({ token: refreshed.accessToken });
        } catch (error) {
          // A cookie that no longer works is dropped, so the browser stops sending it.
          if (cookieMode && error instanceof AuthError && error.status === 401)
            clearRefreshCookie(core, request, reply);
          throw error;
        }
      },
    );

    app.post(
      '/auth/logout',
      { onRequest: guard, schema: { response: { 200: envelope(z.object({ message: z.string() })) } } },
      async (request, reply) => {
        await logout(core, sessionOf(request), requestContext(request));
        if (wantsCookieMode(request)) clearRefreshCookie(core, request, reply);
        return ok({ message: 'Logged out' });
      },
    );

    // Not a documented body: it adds the caller's 2FA state, which a dashboard needs after a reload.
    const me = v1User.extend({ twoFactorEnabled: z.boolean() });
    app.get(
      '/auth/me',
      { onRequest: guard, schema: { response: { 200: envelope(z.object({ user: me })) } } },
      async (request) => {
        const profile = await callerProfile(core, accountOf(request).userId);
        return ok({
          user: { ...profile.user, emailVerified: profile.emailVerified, twoFactorEnabled: profile.twoFactorEnabled },
        });
      },
    );
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
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
import { email, jwt, loginPassword, newPassword } from '../schemas.js';
import { flatUser } from './email-routes.js';

export const tokenPair = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number().int(),
});

export function tokenPairBody(issued: IssuedTokens): z.infer<typeof tokenPair> {
  return {
    access_token: issued.accessToken,
    refresh_token: issued.refreshToken,
    token_type: 'bearer',
    expires_in: issued.expiresIn,
  };
}

/** EMAIL_VERIFICATION=required: no tokens, for a new and a taken address alike. */
const awaitingVerification = z
  .object({ user: flatUser, email_verification_required: z.literal(true) })
  .describe('With EMAIL_VERIFICATION=required: the account waits for its verification link; no token fields');

/** koeiq-auth.txt: refresh answers `{access_token, token_type}`; rotation only when configured. */
export function flatRefreshPolicy(core: Core): RefreshPolicy {
  return { rotateRefreshTokens: core.config.flatRefreshRotation };
}

/** /api/auth/*: snake_case bodies; refresh keeps the refresh token unless FLAT_REFRESH_ROTATION is on. */
export function flatAuthRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  return async (app) => {
    app.post(
      '/auth/register',
      {
        schema: {
          body: z.object({ email, password: newPassword }),
          response: { 201: z.union([tokenPair, awaitingVerification]) },
        },
      },
      async (request, reply) => {
        const outcome = await signUp(core, request.body, requestContext(request), flatRefreshPolicy(core));
        if (outcome.kind === 'verification-required') {
          const { emailVerified, ...shown } = outcome.user;
          return reply
            .code(201)
            .send({ user: { ...shown, email_verified: emailVerified }, email_verification_required: true as const });
        }
        const issued = outcome.tokens;
        await rememberDevice(core, request, reply, issued.user.email);
        return reply.code(201).send(tokenPairBody(issued));
      },
    );

    app.post(
      '/auth/login',
      {
        schema: {
          body: z.object({ email, password: loginPassword }),
          response: { 200: z.union([tokenPair, z.object({ mfa_required: z.literal(true), mfa_token: z.string() })]) },
        },
      },
      async (request, reply) => {
        const outcome = await login(core, request.body, requestContext(request), flatRefreshPolicy(core));
        if (outcome.kind === 'second-factor') return { mfa_required: true as const, mfa_token: outcome.pendingToken };
        await rememberDevice(core, request, reply, outcome.tokens.user.email);
        return tokenPairBody(outcome.tokens);
      },
    );

    app.post(
      '/auth/refresh',
      {
        schema: {
          body: z.object({ refresh_token: jwt }),
          response: {
            200: z.object({
              access_token: z.string(),
              token_type: z.literal('bearer'),
              expires_in: z.number().int(),
              refresh_token: z.string().optional(),
            }),
          },
        },
      },
      async (request) => {
        const refreshed = await refreshSession(
          core,
          request.body.refresh_token,
          requestContext(request),
          flatRefreshPolicy(core),
        );
        return {
          access_token: refreshed.accessToken,
          token_type: 'bearer' as const,
          expires_in: refreshed.expiresIn,
          ...(refreshed.refreshToken ? { refresh_token: refreshed.refreshToken } : {}),
        };
      },
    );

    app.post(
      '/auth/logout',
      { onRequest: guard, schema: { response: { 200: z.object({ detail: z.string() }) } } },
      async (request) => {
        await logout(core, sessionOf(request), requestContext(request));
        return { detail: 'Logged out' };
      },
    );

    const me = flatUser.extend({ two_factor_enabled: z.boolean() });
    app.get('/auth/me', { onRequest: guard, schema: { response: { 200: me } } }, async (request) => {
      const profile = await callerProfile(core, accountOf(request).userId);
      return { ...profile.user, email_verified: profile.emailVerified, two_factor_enabled: profile.twoFactorEnabled };
    });
  };
}

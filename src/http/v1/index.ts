import fastifyCookie from '@fastify/cookie';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Core } from '../../core/index.js';
import { useErrorShape } from '../surface.js';
import { v1AgentsRoutes } from './agents-routes.js';
import { v1AuthRoutes } from './auth-routes.js';
import { v1EmailRoutes } from './email-routes.js';
import { v1ErrorBody } from './envelope.js';
import { v1OAuthClientRoutes } from './oauth-client-routes.js';
import { v1PasskeyRoutes } from './passkey-routes.js';
import { v1PasswordRoutes } from './password-routes.js';
import { v1SessionRoutes } from './session-routes.js';
import { v1TokenRoutes } from './token-routes.js';
import { v1TwoFactorRoutes } from './two-factor-routes.js';

/** The akol-auth.txt surface, mounted at /api/v1. */
export function v1Surface(core: Core): FastifyPluginAsyncZod {
  return async (app) => {
    useErrorShape(app, v1ErrorBody);
    // The routes that issue, rotate or end a session may carry the refresh cookie (refresh-cookie.ts);
    // the cookie plugin's two hooks run on their requests only, not on every resource request.
    await app.register(async (sessionRoutes) => {
      await sessionRoutes.register(fastifyCookie);
      await sessionRoutes.register(v1AuthRoutes(core));
      await sessionRoutes.register(v1TwoFactorRoutes(core));
      await sessionRoutes.register(v1SessionRoutes(core));
      await sessionRoutes.register(v1PasswordRoutes(core));
      await sessionRoutes.register(v1PasskeyRoutes(core));
      await sessionRoutes.register(v1EmailRoutes(core));
    });
    await app.register(v1TokenRoutes(core));
    await app.register(v1AgentsRoutes(core));
    await app.register(v1OAuthClientRoutes(core));
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Core } from '../../core/core.js';
import { useErrorShape } from '../surface.js';
import { v1AgentsRoutes } from './agents-routes.js';
import { v1AuthRoutes } from './auth-routes.js';
import { v1ErrorBody } from './envelope.js';
import { v1PasswordRoutes } from './password-routes.js';
import { v1SessionRoutes } from './session-routes.js';
import { v1TokenRoutes } from './token-routes.js';
import { v1TwoFactorRoutes } from './two-factor-routes.js';

/** The akol-auth.txt surface, mounted at /api/v1. */
export function v1Surface(core: Core): FastifyPluginAsyncZod {
  return async (app) => {
    useErrorShape(app, v1ErrorBody);
    await app.register(v1AuthRoutes(core));
    await app.register(v1TwoFactorRoutes(core));
    await app.register(v1SessionRoutes(core));
    await app.register(v1PasswordRoutes(core));
    await app.register(v1TokenRoutes(core));
    await app.register(v1AgentsRoutes(core));
  };
}

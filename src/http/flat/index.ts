import fastifyCookie from '@fastify/cookie';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Core } from '../../core/index.js';
import { useErrorShape } from '../surface.js';
import { flatApiKeyRoutes } from './api-key-routes.js';
import { flatAuthRoutes } from './auth-routes.js';
import { flatEmailRoutes } from './email-routes.js';
import { flatErrorBody } from './error-body.js';
import { flatIngestRoutes } from './ingest-routes.js';
import { flatMfaRoutes } from './mfa-routes.js';
import { flatOAuthClientRoutes } from './oauth-client-routes.js';
import { flatPasskeyRoutes } from './passkey-routes.js';
import { flatPasswordRoutes } from './password-routes.js';
import { flatSessionRoutes } from './session-routes.js';
import { flatVoicelogsRoutes } from './voicelogs-routes.js';

/** The koeiq-auth.txt surface, mounted at /api. */
export function flatSurface(core: Core): FastifyPluginAsyncZod {
  return async (app) => {
    useErrorShape(app, flatErrorBody);
    // Login, 2FA and the password checks set or read the device cookie (device-cookie.ts): without
    // it their failures would count account-wide. The plugin's hooks stay off the other routes.
    await app.register(async (loginRoutes) => {
      await loginRoutes.register(fastifyCookie);
      await loginRoutes.register(flatAuthRoutes(core));
      await loginRoutes.register(flatMfaRoutes(core));
      await loginRoutes.register(flatPasswordRoutes(core));
      await loginRoutes.register(flatPasskeyRoutes(core));
      await loginRoutes.register(flatEmailRoutes(core));
    });
    await app.register(flatSessionRoutes(core));
    await app.register(flatApiKeyRoutes(core));
    await app.register(flatOAuthClientRoutes(core));
    await app.register(flatVoicelogsRoutes(core));
    await app.register(flatIngestRoutes(core));
  };
}

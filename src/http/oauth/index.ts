import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Core, RevocationFeed } from '../../core/index.js';
import { useFormBodies } from './form-body.js';
import { introspectionRoutes } from './introspection-routes.js';
import { metadataRoutes } from './metadata-routes.js';
import { useOAuthErrors } from './oauth-errors.js';
import { revocationFeedRoutes } from './revocation-feed-routes.js';
import { revocationRoutes } from './revocation-routes.js';
import { tokenRoutes } from './token-routes.js';

/** The standard endpoints (/oauth/*, /.well-known/oauth-*): the RFCs' bodies and errors, not a surface's. */
export function oauthEndpoints(core: Core, feed: RevocationFeed): FastifyPluginAsyncZod {
  return async (app) => {
    useFormBodies(app);
    useOAuthErrors(app);
    await app.register(tokenRoutes(core));
    await app.register(revocationFeedRoutes(core, feed));
    await app.register(introspectionRoutes(core));
    await app.register(revocationRoutes(core));
    await app.register(metadataRoutes(core));
  };
}

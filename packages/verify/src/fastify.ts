import type { FastifyPluginAsync } from 'fastify';
import { type Principal, requireScope } from './principal.js';
import { asRefusal, presentedCredential } from './refusal.js';
import type { Verifier } from './verifier.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called, as @latchkey/verify established it. */
    auth: Principal;
  }
  interface FastifyContextConfig {
    /** The scope this route requires (overrides the plugin's). */
    scope?: string;
  }
}

export interface LatchkeyPluginOptions {
  verifier: Verifier;
  /** The scope every route in the plugin's context requires, unless its `config.scope` says another. */
  scope?: string;
  /** The `realm` of the WWW-Authenticate challenges. Default `api`. */
  realm?: string;
}

/**
 * Guards every route of the context it is registered in (an onRequest hook, so a refused request
 * is never parsed): `request.auth` is the principal; a refusal answers its status with an RFC 6750
 * challenge and `{error: {code, message}}`.
 */
const latchkeyPlugin: FastifyPluginAsync<LatchkeyPluginOptions> = async (app, { verifier, scope, realm }) => {
  app.decorateRequest('auth', null as unknown as Principal);
  app.addHook('onRequest', async (request, reply) => {
    try {
      const principal = await verifier.verify(presentedCredential(request.headers));
      const required = request.routeOptions.config.scope ?? scope;
      if (required) requireScope(principal, required);
      request.auth = principal;
    } catch (error) {
      const refusal = asRefusal(error, realm);
      if (!refusal) throw error;
      return reply.code(refusal.status).headers(refusal.headers).send(refusal.body);
    }
  });
};

// What fastify-plugin would set: the hook applies to the context that registers the plugin, not
// to a child context of its own.
Object.assign(latchkeyPlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@latchkey/verify',
});

export { latchkeyPlugin as latchkey };
export default latchkeyPlugin;

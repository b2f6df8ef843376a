import type { MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type Principal, requireScope } from './principal.js';
import { asRefusal } from './refusal.js';
import type { Verifier } from './verifier.js';

/** The Hono environment the middleware sets: `c.get('auth')` is the principal. */
export interface LatchkeyEnv {
  Variables: { auth: Principal };
}

export interface LatchkeyMiddlewareOptions {
  verifier: Verifier;
  /** The scope the routes behind this middleware require. */
  scope?: string;
  /** The `realm` of the WWW-Authenticate challenges. Default `api`. */
  realm?: string;
}

/**
 * Hono middleware: `c.get('auth')` is the principal; a refusal answers its status with an RFC
 * 6750 challenge and `{error: {code, message}}`; any other error is thrown to Hono.
 */
export function latchkey({ verifier, scope, realm }: LatchkeyMiddlewareOptions): MiddlewareHandler<LatchkeyEnv> {
  return async (c, next) => {
    let principal: Principal;
    try {
      principal = await verifier.verify(c.req.header('authorization') ?? c.req.header('x-api-key'));
      if (scope) requireScope(principal, scope);
    } catch (error) {
      const refusal = asRefusal(error, realm);
      if (!refusal) throw error;
      return c.json(refusal.body, refusal.status as ContentfulStatusCode, refusal.headers);
    }
    c.set('auth', principal);
    await next();
  };
}

import type { RequestHandler } from 'express';
import { type Principal, requireScope } from './principal.js';
import { asRefusal, presentedCredential } from './refusal.js';
import type { Verifier } from './verifier.js';

declare global {
  namespace Express {
    interface Request {
      /** Who called, as @latchkey/verify established it (set by the latchkey middleware). */
      auth?: Principal;
    }
  }
}

export interface LatchkeyMiddlewareOptions {
  verifier: Verifier;
  /** The scope the routes behind this middleware require. */
  scope?: string;
  /** The `realm` of the WWW-Authenticate challenges. Default `api`. */
  realm?: string;
}

/**
 * Express middleware: `req.auth` is the principal; a refusal answers its status with an RFC 6750
 * challenge and `{error: {code, message}}`; any other error goes to `next`.
 */
export function latchkey({ verifier, scope, realm }: LatchkeyMiddlewareOptions): RequestHandler {
  return async (req, res, next) => {
    try {
      const principal = await verifier.verify(presentedCredential(req.headers));
      if (scope) requireScope(principal, scope);
      req.auth = principal;
    } catch (error) {
      const refusal = asRefusal(error, realm);
      if (!refusal) return next(error);
      res.status(refusal.status).set(refusal.headers).json(refusal.body);
      return;
    }
    next();
  };
}

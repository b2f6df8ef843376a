import type { FastifyRequest } from 'fastify';
import { AuthError, requireEmail } from '../core/index.js';
import type { Core } from '../core/index.js';
import { createGuard, sessionOf } from './guard.js';

/** The messages of the e-mail routes' answers, alike on both surfaces. */
export const EMAIL_MESSAGES = {
  forgot: 'If an account uses this address, a link to reset its password is on its way',
  reset: 'Password set; every session has been signed out',
  resend: 'If the address waits for verification, a new link is on its way',
  change: 'A confirmation link is on its way to the new address; the address changes when it is used',
} as const;

/**
 * The resend route's guard: with an Authorization header, the bearer guard; without one the body
 * names the address (an account that may not sign in before it is verified has no session).
 */
export function optionalSessionGuard(core: Core) {
  const guard = createGuard(core);
  return async (request: FastifyRequest): Promise<void> => {
    requireEmail(core);
    if (request.headers.authorization !== undefined) await guard(request);
  };
}

/** Whom a resend is for: the caller's session, else the address in the body. */
export function resendTarget(
  request: FastifyRequest,
  email: string | undefined,
): { userId: string } | { email: string } {
  if (request.principal) return { userId: sessionOf(request).userId };
  if (email === undefined)
    throw new AuthError('VALIDATION_FAILED', { message: 'email: is required without a session' });
  return { email };
}

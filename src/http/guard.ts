import type { FastifyRequest } from 'fastify';
import { authenticateBearer, type Principal, type SessionPrincipal } from '../core/authenticate.js';
import type { Core } from '../core/core.js';
import { AuthError } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const REALM = 'latchkey';
const BEARER_PREFIX = 'Bearer ';

function quoted(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
}

/** RFC 6750 section 3: a bare challenge when no token came, `invalid_token` when one was refused. */
function withChallenge(error: AuthError, tokenPresent: boolean): AuthError {
  if (error.status !== 401) return error;
  const challenge = tokenPresent
    ? `Bearer realm="${REALM}", error="invalid_token", error_description="${quoted(error.message)}"`
    : `Bearer realm="${REALM}"`;
  return new AuthError(error.code, { message: error.message, headers: { ...error.headers, 'www-authenticate': challenge } });
}

/**
 * The one guard in front of every protected route (an onRequest hook, so refused requests are
 * never parsed). The header must literally start with `Bearer ` (with the space).
 */
export function createGuard(core: Core) {
  return async function guard(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (!header?.startsWith(BEARER_PREFIX) || header.length === BEARER_PREFIX.length) {
      throw withChallenge(new AuthError('NO_BEARER_TOKEN'), false);
    }
    try {
      request.principal = await authenticateBearer(core, header.slice(BEARER_PREFIX.length).trim());
    } catch (error) {
      throw error instanceof AuthError ? withChallenge(error, true) : error;
    }
  };
}

/** The caller of a guarded route. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new TypeError('principalOf: route is not behind the guard');
  return request.principal;
}

/** The caller, who must hold a session token (not a personal access token or key). */
export function sessionOf(request: FastifyRequest): SessionPrincipal {
  const principal = principalOf(request);
  if (principal.kind !== 'session') throw new AuthError('SESSION_TOKEN_REQUIRED');
  return principal;
}

export function requestContext(request: FastifyRequest): { ip: string; userAgent: string | null } {
  return { ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 512) ?? null };
}

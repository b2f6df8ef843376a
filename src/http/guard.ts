import type { FastifyRequest } from 'fastify';
import {
  adminClientActor,
  authenticateBearer,
  authenticateIngestKey,
  AuthError,
  type ClientActor,
  type Core,
  type IngestPrincipal,
  type Principal,
  type RequestContext,
  requireRecentLogin,
  requireScope,
  type Scope,
  type SessionPrincipal,
} from '../core/index.js';
import { presentedDevice } from './device-cookie.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | IngestPrincipal | null;
  }
}

const REALM = 'latchkey';
const BEARER_PREFIX = 'Bearer ';

function quoted(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
}

/**
 * RFC 6750 section 3: a bare challenge when no token came, `invalid_token` when one was refused,
 * `insufficient_scope` (with the scope) when it may not do this.
 */
function withChallenge(error: AuthError, tokenPresent: boolean): AuthError {
  let challenge: string;
  if (error.code === 'INSUFFICIENT_SCOPE') {
    const scope = (error.details as { requiredScope: string }).requiredScope;
    challenge = `Bearer realm="${REALM}", error="insufficient_scope", scope="${scope}"`;
  } else if (error.code === 'RECENT_LOGIN_REQUIRED') {
    // RFC 9470 section 3: the step-up challenge, with the login age this resource accepts.
    const { maxAgeSeconds } = error.details as { maxAgeSeconds: number };
    challenge = `Bearer realm="${REALM}", error="insufficient_user_authentication", error_description="${quoted(error.message)}", max_age=${maxAgeSeconds}`;
  } else if (error.status !== 401) {
    return error;
  } else {
    challenge = tokenPresent
      ? `Bearer realm="${REALM}", error="invalid_token", error_description="${quoted(error.message)}"`
      : `Bearer realm="${REALM}"`;
  }
  return new AuthError(error.code, {
    message: error.message,
    details: error.details,
    headers: { ...error.headers, 'www-authenticate': challenge },
  });
}

/**
 * The guard in front of every bearer-protected route (an onRequest hook, so refused requests are
 * never parsed). The header must literally start with `Bearer ` (with the space). An X-API-Key
 * is refused here: ingest keys only open /api/ingest/*. `recentLogin` guards actions that outlast
 * the session (see requireRecentLogin).
 */
export function createGuard(core: Core, options: { scope?: Scope; recentLogin?: boolean } = {}) {
  return async function guard(request: FastifyRequest): Promise<void> {
    if (request.headers['x-api-key'] !== undefined) throw new AuthError('API_KEY_NOT_ALLOWED');
    const header = request.headers.authorization;
    if (!header?.startsWith(BEARER_PREFIX) || header.length === BEARER_PREFIX.length) {
      throw withChallenge(new AuthError('NO_BEARER_TOKEN'), false);
    }
    try {
      const principal = await authenticateBearer(core, header.slice(BEARER_PREFIX.length).trim());
      if (options.scope) requireScope(principal, options.scope);
      if (options.recentLogin) requireRecentLogin(core, principal);
      request.principal = principal;
    } catch (error) {
      throw error instanceof AuthError ? withChallenge(error, true) : error;
    }
  };
}

/** The guard of /api/ingest/*: an X-API-Key and nothing else. */
export function createIngestGuard(core: Core) {
  return async function ingestGuard(request: FastifyRequest): Promise<void> {
    if (request.headers.authorization !== undefined) throw new AuthError('BEARER_NOT_ALLOWED_ON_INGEST');
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || key.length === 0) throw new AuthError('NO_API_KEY');
    request.principal = await authenticateIngestKey(core, key.trim());
  };
}

/** The caller of a bearer-guarded route. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = request.principal;
  if (!principal || principal.kind === 'ingest')
    throw new TypeError('principalOf: route is not behind the bearer guard');
  return principal;
}

/** The caller of an ingest route. */
export function ingestPrincipalOf(request: FastifyRequest): IngestPrincipal {
  const principal = request.principal;
  if (principal?.kind !== 'ingest') throw new TypeError('ingestPrincipalOf: route is not behind the ingest guard');
  return principal;
}

/**
 * The caller, who must be a user (a session token or a personal access token): a route that acts
 * for an account refuses an OAuth client's token, which has none.
 */
export function accountOf(request: FastifyRequest): Principal {
  const principal = principalOf(request);
  if (principal.kind === 'client') throw new AuthError('CLIENT_TOKEN_NOT_ALLOWED');
  return principal;
}

/**
 * The caller, who must hold a session token: credential management (tokens, keys, 2FA, logout)
 * is not open to a personal access token.
 */
export function sessionOf(request: FastifyRequest): SessionPrincipal {
  const principal = principalOf(request);
  if (principal.kind !== 'session') throw new AuthError('SESSION_TOKEN_REQUIRED');
  return principal;
}

/**
 * The caller of an OAuth client management route: an ADMIN holding a session token (a personal
 * access token or a client token could otherwise mint credentials that outlive it).
 */
export function clientAdminOf(request: FastifyRequest): ClientActor {
  return adminClientActor(sessionOf(request), requestContext(request));
}

export function requestContext(request: FastifyRequest): RequestContext {
  return {
    ip: request.ip,
    userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
    deviceCookie: presentedDevice(request),
  };
}

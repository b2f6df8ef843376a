import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, type Core } from '../core/index.js';

/**
 * The dashboard's cookie mode: the refresh token travels in an HttpOnly cookie that page scripts
 * cannot read, scoped to the refresh endpoint. A client opts in with this header on every auth
 * call; on refresh the header is also the CSRF defence (a cross-site page cannot send a custom
 * header without a CORS preflight, which this server never grants), next to SameSite=Strict.
 */
export const COOKIE_MODE_HEADER = 'x-refresh-token-mode';
export const REFRESH_COOKIE = 'latchkey_refresh';
const REFRESH_PATH = '/api/v1/auth/refresh';

export function wantsCookieMode(request: FastifyRequest): boolean {
  return request.headers[COOKIE_MODE_HEADER] === 'cookie';
}

/** Whether cookies get `Secure`: the request came over https, or the public URL is https. */
export function secure(core: Core, request: FastifyRequest): boolean {
  return request.protocol === 'https' || core.config.publicUrl.startsWith('https:');
}

export function setRefreshCookie(core: Core, request: FastifyRequest, reply: FastifyReply, refreshToken: string): void {
  reply.setCookie(REFRESH_COOKIE, refreshToken, {
    httpOnly: true,
    secure: secure(core, request),
    sameSite: 'strict',
    path: REFRESH_PATH,
    maxAge: core.config.refreshTokenTtlSeconds,
  });
}

export function clearRefreshCookie(core: Core, request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(REFRESH_COOKIE, {
    httpOnly: true,
    secure: secure(core, request),
    sameSite: 'strict',
    path: REFRESH_PATH,
  });
}

/**
 * The refresh token from the cookie. Refused when the name comes more than once: a sibling
 * subdomain can set a same-named cookie for the parent domain ("cookie tossing"), and SameSite
 * does not stop it; the browser would send both, and whichever the parser kept would win.
 */
export function refreshCookieOf(request: FastifyRequest): string | undefined {
  if (cookieCount(request, REFRESH_COOKIE) > 1) {
    throw new AuthError('INVALID_REFRESH_TOKEN', { message: 'More than one refresh cookie was sent; sign in again' });
  }
  return request.cookies[REFRESH_COOKIE];
}

/** How many cookies named `name` the request carries (more than one: see refreshCookieOf). */
export function cookieCount(request: FastifyRequest, name: string): number {
  return (request.headers.cookie ?? '').split(';').filter((pair) => pair.trim().startsWith(`${name}=`)).length;
}

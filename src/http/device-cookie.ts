import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Core, deviceCookieAfterLogin } from '../core/index.js';
import { cookieCount, secure } from './refresh-cookie.js';

/** The device cookie (core/device-cookies.ts); API clients send the same value in DEVICE_HEADER. */
export const DEVICE_COOKIE = 'latchkey_device';
export const DEVICE_HEADER = 'x-latchkey-device';
// Both surfaces' login and 2FA routes live under /api.
const DEVICE_PATH = '/api';

/**
 * The device value the request presents: the header, else the cookie. Two cookies of the name
 * (one tossed in from a sibling subdomain) count as none, so the login is counted account-wide.
 */
export function presentedDevice(request: FastifyRequest): string | null {
  const header = request.headers[DEVICE_HEADER];
  if (typeof header === 'string') return header;
  if (cookieCount(request, DEVICE_COOKIE) !== 1) return null;
  return request.cookies?.[DEVICE_COOKIE] ?? null;
}

/** After a successful login: the browser gets (or renews) the device cookie for this account. */
export async function rememberDevice(
  core: Core,
  request: FastifyRequest,
  reply: FastifyReply,
  email: string,
): Promise<void> {
  const value = await deviceCookieAfterLogin(core, presentedDevice(request), email);
  if (value === null) return;
  reply.setCookie(DEVICE_COOKIE, value, {
    httpOnly: true,
    secure: secure(core, request),
    sameSite: 'strict',
    path: DEVICE_PATH,
    maxAge: core.config.deviceCookieTtlSeconds,
  });
}

import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The API's answers are data, never a page: nothing may load from them or frame them (OWASP REST
 * Security Cheat Sheet, "Security Headers"). The dashboard's pages set their own policy over this.
 */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Security headers on every response, through helmet: nosniff, the API's CSP, no Referer,
 * X-Frame-Options DENY, HSTS (ignored by browsers over plain http), same-origin CORP/COOP.
 */
export async function useSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    // Helmet writes API_CSP's directives, joined by ';' alone.
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
  });
}

/**
 * The headers helmet would have added, for the few answers Fastify writes before any hook runs
 * (frameworkErrors: a malformed or overlong URL).
 */
export const API_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': API_CSP,
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

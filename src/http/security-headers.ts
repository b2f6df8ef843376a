import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * The API's answers are data, never a page: nothing may load from them or frame them (OWASP REST
 * Security Cheat Sheet, "Security Headers"). The dashboard's pages set their own policy instead.
 */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

// Helmet's values for the headers OWASP's REST cheat sheet asks of an API. Its headers for
// documents and old browsers (COOP, Origin-Agent-Cluster, X-XSS-Protection, X-Download-Options,
// ...) are off: every response would carry them, and header bytes cost on every request.
const apiHelmet = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  referrerPolicy: { policy: 'no-referrer' },
  frameguard: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
});

/**
 * Runs helmet once, at start, against a stand-in response and keeps what it set: the values are
 * the same for every response, and building them per request (as @fastify/helmet does) is a
 * large share of a small route's cost.
 */
function headersSetBy(middleware: typeof apiHelmet): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  middleware({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

/** nosniff, the API CSP, Referrer-Policy no-referrer, X-Frame-Options DENY and HSTS (ignored over plain http). */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze(headersSetBy(apiHelmet));

/** The same without the CSP, for responses that bring their own (the dashboard's pages). */
export const SECURITY_HEADERS_BUT_CSP: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(API_SECURITY_HEADERS).filter(([name]) => name !== 'content-security-policy')),
);

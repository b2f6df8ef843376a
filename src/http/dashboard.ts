import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The built dashboard (`npm run build:web`), relative to both src/http and dist/http. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

// No inline script or style, nothing from another origin; QR codes are data: images.
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

function securityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', DASHBOARD_CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
}

/** Whether a request that matched no route is the browser asking for a dashboard page. */
export function isDashboardPage(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0]!;
  return (
    (request.method === 'GET' || request.method === 'HEAD') &&
    !path.startsWith('/api/') &&
    !path.startsWith('/.well-known/')
  );
}

/**
 * Serves the dashboard's static files with a strict CSP. Returns the SPA fallback (index.html for
 * client-side routes), or undefined when the dashboard has not been built.
 */
export async function registerDashboard(
  app: FastifyInstance,
): Promise<((reply: FastifyReply) => FastifyReply) | undefined> {
  if (!existsSync(DASHBOARD_DIR)) return undefined;
  await app.register(fastifyStatic, {
    root: DASHBOARD_DIR,
    wildcard: false,
    setHeaders: securityHeaders,
  });
  return (reply) => {
    securityHeaders(reply);
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  };
}

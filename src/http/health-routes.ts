import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../core/index.js';

async function check(probe: () => Promise<void>): Promise<'ok' | 'unavailable'> {
  try {
    await probe();
    return 'ok';
  } catch {
    return 'unavailable';
  }
}

const health = z.object({ status: z.enum(['ok', 'unavailable']), database: z.string(), kv: z.string() });

/** GET /healthz (database and kv reachable) and the public signing keys. */
export function healthRoutes(core: Core): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/healthz', { schema: { response: { 200: health, 503: health } } }, async (_request, reply) => {
      const [database, kv] = await Promise.all([check(core.stores.pingDatabase), check(core.stores.kv.ping)]);
      const status = database === 'ok' && kv === 'ok' ? 'ok' : 'unavailable';
      return reply
        .code(status === 'ok' ? 200 : 503)
        .header('cache-control', 'no-store')
        .send({ status, database, kv });
    });

    app.get('/.well-known/jwks.json', async (_request, reply) =>
      // Short cache: a rotated key must reach verifiers before it signs (instances reload every minute).
      reply.header('cache-control', 'public, max-age=60').send(core.keys.jwks()),
    );
  };
}

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

const health = z.object({
  status: z.enum(['ok', 'degraded', 'unavailable']),
  database: z.enum(['ok', 'unavailable']),
  kv: z.enum(['ok', 'unavailable']),
});
const readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  database: z.enum(['ok', 'unavailable']),
  schema: z.enum(['current', 'behind', 'unknown']),
});
const liveness = z.object({ status: z.literal('ok') });

/**
 * GET /healthz (what answers), /readyz (whether to send traffic here), /livez (whether the
 * process answers at all), and the public signing keys. Only the database is needed to serve:
 * without the kv store revocations are checked against it and limits counted per instance.
 */
export function healthRoutes(core: Core): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/healthz', { schema: { response: { 200: health, 503: health } } }, async (_request, reply) => {
      const [database, kv] = await Promise.all([check(core.stores.pingDatabase), check(core.stores.kv.ping)]);
      const status = database === 'unavailable' ? 'unavailable' : kv === 'ok' ? 'ok' : 'degraded';
      return reply
        .code(status === 'unavailable' ? 503 : 200)
        .header('cache-control', 'no-store')
        .send({ status, database, kv });
    });

    app.get('/readyz', { schema: { response: { 200: readiness, 503: readiness } } }, async (_request, reply) => {
      const current = await core.stores.isSchemaCurrent().catch(() => undefined);
      const database = current === undefined ? 'unavailable' : 'ok';
      const schema = current === undefined ? 'unknown' : current ? 'current' : 'behind';
      const ready = database === 'ok' && schema === 'current';
      return reply
        .code(ready ? 200 : 503)
        .header('cache-control', 'no-store')
        .send({ status: ready ? 'ready' : 'not_ready', database, schema });
    });

    // No dependency is asked: an orchestrator restarts a process that fails this, and a restart
    // cures no database outage.
    app.get('/livez', { schema: { response: { 200: liveness } } }, async (_request, reply) =>
      reply.header('cache-control', 'no-store').send({ status: 'ok' }),
    );

    app.get('/.well-known/jwks.json', async (_request, reply) =>
      // Short cache: a rotated key must reach verifiers before it signs (instances reload every minute).
      reply.header('cache-control', 'public, max-age=60').send(core.keys.jwks()),
    );
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { createIngestGuard, ingestPrincipalOf } from '../guard.js';

/** /api/ingest/*: the only routes an X-API-Key opens. */
export function flatIngestRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createIngestGuard(core);
  return async (app) => {
    // Lets an integration check its key without uploading anything.
    app.get('/ingest/ping', { onRequest: guard, schema: { response: { 200: z.object({ ok: z.literal(true), key_id: z.string() }) } } }, async (request) => ({
      ok: true as const,
      key_id: ingestPrincipalOf(request).credentialId,
    }));
  };
}

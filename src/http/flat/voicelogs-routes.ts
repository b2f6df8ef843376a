import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { createGuard } from '../guard.js';

/** /api/voicelogs: behind the guard; uploads arrive with the ingest issue. */
export function flatVoicelogsRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  return async (app) => {
    app.get(
      '/voicelogs',
      {
        onRequest: guard,
        schema: {
          response: { 200: z.object({ items: z.array(z.object({ id: z.string() })), total: z.number().int(), page: z.number().int(), page_size: z.number().int() }) },
        },
      },
      async () => ({ items: [], total: 0, page: 1, page_size: 20 }),
    );
  };
}

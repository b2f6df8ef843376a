import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuthError, type Core, findVoiceLog, listVoiceLogs } from '../../core/index.js';
import { createGuard, principalOf } from '../guard.js';
import { toVoiceLogBody, voiceLogBody } from './voice-log-body.js';

const PAGE_SIZE_DEFAULT = 20;
const PAGE_SIZE_MAX = 100;
// Far past any real list; keeps (page - 1) * page_size a small exact integer.
const PAGE_MAX = 1_000_000;

/** /api/voicelogs: the caller's uploads (they arrive through /api/ingest/upload), bearer only. */
export function flatVoicelogsRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core, { scope: 'voicelogs:read' });
  return async (app) => {
    app.get(
      '/voicelogs',
      {
        onRequest: guard,
        schema: {
          querystring: z.object({
            page: z.coerce.number().int().min(1).max(PAGE_MAX).default(1),
            page_size: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
          }),
          response: {
            200: z.object({
              items: z.array(voiceLogBody),
              total: z.number().int(),
              page: z.number().int(),
              page_size: z.number().int(),
            }),
          },
        },
      },
      async (request) => {
        const { page, page_size: pageSize } = request.query;
        const { items, total } = await listVoiceLogs(core, principalOf(request).userId, { page, pageSize });
        return { items: items.map(toVoiceLogBody), total, page, page_size: pageSize };
      },
    );

    app.get(
      '/voicelogs/:id',
      { onRequest: guard, schema: { params: z.object({ id: z.string().max(128) }), response: { 200: voiceLogBody } } },
      async (request) => {
        const log = await findVoiceLog(core, principalOf(request).userId, request.params.id);
        if (!log) throw new AuthError('NOT_FOUND', { message: 'No such voice log' });
        return toVoiceLogBody(log);
      },
    );
  };
}

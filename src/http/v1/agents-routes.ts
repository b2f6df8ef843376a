import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { createGuard } from '../guard.js';
import { envelope, ok } from './envelope.js';

/** /api/v1/agents: behind the guard; the agents resource itself arrives with its own issue. */
export function v1AgentsRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createGuard(core);
  return async (app) => {
    app.get('/agents', { onRequest: guard, schema: { response: { 200: envelope(z.array(z.object({ id: z.string() }))) } } }, async () =>
      ok([]),
    );
  };
}

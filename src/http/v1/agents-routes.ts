import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AGENT_DESCRIPTION_MAX_LENGTH,
  AGENT_NAME_MAX_LENGTH,
  AGENT_PAGE_DEFAULT,
  AGENT_PAGE_MAX,
  type Core,
  createAgent,
  deleteAgent,
  getAgent,
  listAgents,
  updateAgent,
} from '../../core/index.js';
import type { Agent } from '../../store/agent-store.js';
import { accountOf, createGuard, principalOf } from '../guard.js';
import { isoTime } from '../schemas.js';
import { envelope, ok } from './envelope.js';

const agentInfo = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

// The owner is shown only in an admin's listing of every user's agents.
const listedAgent = agentInfo.extend({ userId: z.string().optional() });

function describe(agent: Agent): z.infer<typeof agentInfo> {
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    createdAt: isoTime(agent.createdAt),
    updatedAt: isoTime(agent.updatedAt),
  };
}

const name = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(AGENT_NAME_MAX_LENGTH, `must be at most ${AGENT_NAME_MAX_LENGTH} characters`);
const description = z
  .string()
  .max(AGENT_DESCRIPTION_MAX_LENGTH, `must be at most ${AGENT_DESCRIPTION_MAX_LENGTH} characters`)
  .nullable();
const params = z.object({ id: z.string().max(64) });

/** /api/v1/agents: the caller's agents; session tokens, or personal access tokens with agents:read / agents:write. */
export function v1AgentsRoutes(core: Core): FastifyPluginAsyncZod {
  const canRead = createGuard(core, { scope: 'agents:read' });
  const canWrite = createGuard(core, { scope: 'agents:write' });
  return async (app) => {
    app.get(
      '/agents',
      {
        onRequest: canRead,
        schema: {
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(AGENT_PAGE_MAX).default(AGENT_PAGE_DEFAULT),
            offset: z.coerce.number().int().min(0).default(0),
            all: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
          }),
          response: { 200: envelope(z.array(listedAgent)) },
        },
      },
      async (request) => {
        const { limit, offset, all } = request.query;
        const allUsers = all === 'true';
        const agents = await listAgents(core, principalOf(request), { limit, offset, allUsers });
        return ok(agents.map((agent) => (allUsers ? { ...describe(agent), userId: agent.userId } : describe(agent))));
      },
    );

    app.post(
      '/agents',
      {
        onRequest: canWrite,
        schema: {
          body: z.object({ name, description: description.optional() }),
          response: { 201: envelope(agentInfo) },
        },
      },
      async (request, reply) => {
        const agent = await createAgent(core, accountOf(request), request.body);
        return reply.code(201).send(ok(describe(agent)));
      },
    );

    app.get(
      '/agents/:id',
      { onRequest: canRead, schema: { params, response: { 200: envelope(agentInfo) } } },
      async (request) => ok(describe(await getAgent(core, principalOf(request), request.params.id))),
    );

    app.patch(
      '/agents/:id',
      {
        onRequest: canWrite,
        schema: {
          params,
          body: z
            .object({ name: name.optional(), description: description.optional() })
            .refine((body) => body.name !== undefined || body.description !== undefined, 'needs name or description'),
          response: { 200: envelope(agentInfo) },
        },
      },
      async (request) => ok(describe(await updateAgent(core, principalOf(request), request.params.id, request.body))),
    );

    app.delete(
      '/agents/:id',
      { onRequest: canWrite, schema: { params, response: { 200: envelope(z.object({ deleted: z.literal(true) })) } } },
      async (request) => {
        await deleteAgent(core, principalOf(request), request.params.id);
        return ok({ deleted: true as const });
      },
    );
  };
}

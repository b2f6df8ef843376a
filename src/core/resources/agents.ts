import type { Agent, AgentChanges } from '../../store/agent-store.js';
import type { Role } from '../../store/user-store.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { randomId } from '../ids.js';

/** A page of agents holds this many unless the caller asks for another size (1 to AGENT_PAGE_MAX). */
export const AGENT_PAGE_DEFAULT = 50;
/** The largest page of agents one request may ask for. */
export const AGENT_PAGE_MAX = 100;
/** Longest agent name, in characters (after trimming). */
export const AGENT_NAME_MAX_LENGTH = 100;
/** Longest agent description, in characters. */
export const AGENT_DESCRIPTION_MAX_LENGTH = 1000;

/**
 * Who is acting: the user and the role that applies. For a personal access token the role is the
 * snapshot taken when the token was created, not the account's current role.
 */
export interface Actor {
  userId: string;
  role: Role;
}

function isAdmin(actor: Actor): boolean {
  return actor.role === 'ADMIN';
}

// Another user's agent answers exactly like a missing one, so ids cannot be probed.
function notFound(): AuthError {
  return new AuthError('NOT_FOUND', { message: 'Agent not found' });
}

/** The agent, if the actor owns it or is an admin. */
async function findAccessible(core: Core, actor: Actor, id: string): Promise<Agent> {
  const agent = await core.stores.agents.findById(id);
  if (!agent || (agent.userId !== actor.userId && !isAdmin(actor))) throw notFound();
  return agent;
}

/**
 * A page of agents, newest first: the actor's own, or with `allUsers` every user's (ADMIN only,
 * FORBIDDEN otherwise). `limit` is 1 to AGENT_PAGE_MAX; `offset` counts agents skipped.
 */
export async function listAgents(
  core: Core,
  actor: Actor,
  query: { limit: number; offset: number; allUsers: boolean },
): Promise<Agent[]> {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > AGENT_PAGE_MAX) {
    throw new TypeError(`listAgents: limit must be an integer from 1 to ${AGENT_PAGE_MAX}`);
  }
  if (!Number.isInteger(query.offset) || query.offset < 0)
    throw new TypeError('listAgents: offset must be a non-negative integer');
  if (query.allUsers && !isAdmin(actor)) {
    throw new AuthError('FORBIDDEN', { message: "Listing every user's agents needs the ADMIN role" });
  }
  return core.stores.agents.list({
    userId: query.allUsers ? null : actor.userId,
    limit: query.limit,
    offset: query.offset,
  });
}

/** Creates an agent owned by the actor; AGENT_LIMIT_REACHED once the actor owns AGENTS_MAX_PER_USER. */
export async function createAgent(
  core: Core,
  actor: Actor,
  input: { name: string; description?: string | null },
): Promise<Agent> {
  const now = core.clock();
  const agent: Agent = {
    id: randomId('agent'),
    userId: actor.userId,
    name: input.name,
    description: input.description ?? null,
    createdAt: now,
    updatedAt: now,
  };
  // Checked and inserted in one step, so parallel creates cannot pass the cap together.
  if (!(await core.stores.agents.insertWithinLimit(agent, core.config.agentsMaxPerUser))) {
    throw new AuthError('AGENT_LIMIT_REACHED', {
      message: `An account may have at most ${core.config.agentsMaxPerUser} agents; delete one first`,
    });
  }
  return agent;
}

/** One agent; NOT_FOUND when it does not exist or belongs to another user (unless the actor is an admin). */
export async function getAgent(core: Core, actor: Actor, id: string): Promise<Agent> {
  return findAccessible(core, actor, id);
}

/** Changes an agent's name and/or description, under the same rule as getAgent. */
export async function updateAgent(core: Core, actor: Actor, id: string, changes: AgentChanges): Promise<Agent> {
  await findAccessible(core, actor, id);
  // Deleted between the check and the write: answer as if it had never been there.
  const updated = await core.stores.agents.update(id, changes, core.clock());
  if (!updated) throw notFound();
  return updated;
}

/** Deletes an agent, under the same rule as getAgent. */
export async function deleteAgent(core: Core, actor: Actor, id: string): Promise<void> {
  await findAccessible(core, actor, id);
  if (!(await core.stores.agents.delete(id))) throw notFound();
}

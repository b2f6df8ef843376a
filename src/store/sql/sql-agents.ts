import type { Kysely, Selectable } from 'kysely';
import type { Agent, AgentStore } from '../agent-store.js';
import { compileOnce, limitParameter } from './compile-once.js';
import type { AgentRow, Tables } from './tables.js';
import { withUserLocked } from './user-lock.js';

function toAgent(row: Selectable<AgentRow>): Agent {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

interface Page {
  limit: number;
  offset: number;
}

async function insertRow(db: Kysely<Tables>, agent: Agent): Promise<void> {
  await db
    .insertInto('agents')
    .values({
      id: agent.id,
      user_id: agent.userId,
      name: agent.name,
      description: agent.description,
      created_at: agent.createdAt,
      updated_at: agent.updatedAt,
    })
    .execute();
}

export function createSqlAgentStore(db: Kysely<Tables>): AgentStore {
  const byId = compileOnce(db, ['id'], (v: { id: string }) =>
    db.selectFrom('agents').selectAll().where('id', '=', v.id),
  );
  const newestFirst = (page: Page) =>
    db
      .selectFrom('agents')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limitParameter(page.limit))
      .offset(page.offset);
  const pageOfUser = compileOnce(db, ['userId', 'limit', 'offset'], (v: Page & { userId: string }) =>
    newestFirst(v).where('user_id', '=', v.userId),
  );
  const pageOfAll = compileOnce(db, ['limit', 'offset'], newestFirst);

  return {
    insert: (agent) => insertRow(db, agent),

    async insertWithinLimit(agent, max) {
      return withUserLocked(db, agent.userId, async (tx) => {
        const { owned } = await tx
          .selectFrom('agents')
          .select((eb) => eb.fn.countAll<number | string>().as('owned'))
          .where('user_id', '=', agent.userId)
          .executeTakeFirstOrThrow();
        if (Number(owned) >= max) return false;
        await insertRow(tx, agent);
        return true;
      });
    },

    async findById(id) {
      const [row] = await byId({ id });
      return row ? toAgent(row) : null;
    },

    async list({ userId, limit, offset }) {
      const rows = userId === null ? await pageOfAll({ limit, offset }) : await pageOfUser({ userId, limit, offset });
      return rows.map(toAgent);
    },

    async update(id, changes, at) {
      const row = await db
        .updateTable('agents')
        .set({
          ...(changes.name === undefined ? {} : { name: changes.name }),
          ...(changes.description === undefined ? {} : { description: changes.description }),
          updated_at: at,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? toAgent(row) : null;
    },

    async delete(id) {
      const result = await db.deleteFrom('agents').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

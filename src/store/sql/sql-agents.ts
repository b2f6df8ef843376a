import type { Kysely, Selectable } from 'kysely';
import type { Agent, AgentStore } from '../agent-store.js';
import type { AgentRow, Tables } from './tables.js';

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

export function createSqlAgentStore(db: Kysely<Tables>): AgentStore {
  return {
    async insert(agent) {
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
    },

    async findById(id) {
      const row = await db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toAgent(row) : null;
    },

    async list({ userId, limit, offset }) {
      let query = db.selectFrom('agents').selectAll();
      if (userId !== null) query = query.where('user_id', '=', userId);
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
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

import type { Kysely, Selectable } from 'kysely';
import type { AuditEvent, AuditStore } from '../audit-store.js';
import { limitParameter } from './compile-once.js';
import type { AuditEventRow, Tables } from './tables.js';

function toEvent(row: Selectable<AuditEventRow>): AuditEvent {
  return {
    id: row.id,
    at: row.at,
    type: row.type,
    userId: row.user_id,
    ip: row.ip,
    userAgent: row.user_agent,
    details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null,
  };
}

export function createSqlAuditStore(db: Kysely<Tables>): AuditStore {
  return {
    async append(event) {
      await db
        .insertInto('audit_events')
        .values({
          id: event.id,
          at: event.at,
          type: event.type,
          user_id: event.userId,
          ip: event.ip,
          user_agent: event.userAgent,
          details: event.details ? JSON.stringify(event.details) : null,
        })
        .execute();
    },

    async listForUser(userId, limit) {
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('at', 'desc')
        .limit(limitParameter(limit))
        .execute();
      return rows.map(toEvent);
    },

    async listByType(type, limit) {
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('type', '=', type)
        .orderBy('at', 'desc')
        .limit(limitParameter(limit))
        .execute();
      return rows.map(toEvent);
    },
  };
}

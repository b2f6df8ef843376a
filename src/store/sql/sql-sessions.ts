import type { Insertable, Kysely, Selectable } from 'kysely';
import type { RefreshToken, Session, SessionStore } from '../session-store.js';
import { lockUserForSession } from './lock-user-for-session.js';
import { updatedOne } from './updated-one.js';
import type { RefreshTokenRow, SessionRow, Tables } from './tables.js';

/**
 * Ends a user's open sessions (only `onlySession`, when given), on `db` or inside a transaction
 * on it; returns the ids ended.
 */
/** Revokes the live sessions of one user (or only `onlySession` of them), or with `userId` null every live session. */
export async function endUserSessions(
  db: Kysely<Tables>,
  userId: string | null,
  at: number,
  onlySession?: string,
): Promise<string[]> {
  const rows = await db
    .updateTable('sessions')
    .set({ revoked_at: at })
    .where('revoked_at', 'is', null)
    .$if(userId !== null, (qb) => qb.where('user_id', '=', userId!))
    .$if(onlySession !== undefined, (qb) => qb.where('id', '=', onlySession!))
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

function toSession(row: Selectable<SessionRow>): Session {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    ip: row.ip,
    userAgent: row.user_agent,
    rotating: Number(row.rotating) === 1,
  };
}

function toRefreshToken(row: Selectable<RefreshTokenRow>): RefreshToken {
  return {
    idHash: row.id_hash,
    sessionId: row.session_id,
    userId: row.user_id,
    parentHash: row.parent_hash,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    successorEnc: row.successor_enc,
    spentBy: row.spent_by,
  };
}

function toRefreshTokenRow(token: RefreshToken): Insertable<RefreshTokenRow> {
  return {
    id_hash: token.idHash,
    session_id: token.sessionId,
    user_id: token.userId,
    parent_hash: token.parentHash,
    issued_at: token.issuedAt,
    expires_at: token.expiresAt,
    used_at: token.usedAt,
    successor_enc: token.successorEnc,
    spent_by: token.spentBy,
  };
}

export function createSqlSessionStore(db: Kysely<Tables>): SessionStore {
  return {
    async createSession(session, firstToken, passwordHash) {
      return db.transaction().execute(async (tx) => {
        if (!(await lockUserForSession(tx, session.userId, passwordHash))) return false;
        await tx
          .insertInto('sessions')
          .values({
            id: session.id,
            user_id: session.userId,
            created_at: session.createdAt,
            last_used_at: session.lastUsedAt,
            expires_at: session.expiresAt,
            revoked_at: session.revokedAt,
            ip: session.ip,
            user_agent: session.userAgent,
            rotating: session.rotating ? 1 : 0,
          })
          .execute();
        await tx.insertInto('refresh_tokens').values(toRefreshTokenRow(firstToken)).execute();
        return true;
      });
    },

    async findSession(id) {
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toSession(row) : null;
    },

    async listLiveSessions(userId, now) {
      const rows = await db
        .selectFrom('sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('last_used_at', 'desc')
        .execute();
      return rows.map(toSession);
    },

    async findRefreshToken(idHash) {
      const row = await db.selectFrom('refresh_tokens').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      return row ? toRefreshToken(row) : null;
    },

    async spendRefreshToken(idHash, usedAt, spentBy, successor, successorEnc) {
      return db.transaction().execute(async (tx) => {
        // The compare-and-set: on PostgreSQL a racing UPDATE waits for this row lock, then
        // re-checks `used_at is null` and matches nothing; SQLite serializes writers outright.
        const claimed = await tx
          .updateTable('refresh_tokens')
          .set({ used_at: usedAt, successor_enc: successorEnc, spent_by: spentBy })
          .where('id_hash', '=', idHash)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        if (!updatedOne(claimed)) return false;
        await tx.insertInto('refresh_tokens').values(toRefreshTokenRow(successor)).execute();
        // The session lives as long as its newest refresh token.
        await tx
          .updateTable('sessions')
          .set({ last_used_at: usedAt, expires_at: successor.expiresAt })
          .where('id', '=', successor.sessionId)
          .execute();
        return true;
      });
    },

    async touchSession(id, at) {
      await db.updateTable('sessions').set({ last_used_at: at }).where('id', '=', id).execute();
    },

    async revokeSession(id, at) {
      const result = await db
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    revokeUserSessions: (userId, at) => endUserSessions(db, userId, at),
    revokeAllSessions: (at) => endUserSessions(db, null, at),
  };
}

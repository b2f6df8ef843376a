import type { Kysely, Selectable } from 'kysely';
import type { Role, User, UserStore } from '../user-store.js';
import { compileOnce } from './compile-once.js';
import { toCredential } from './sql-credentials.js';
import { endUserSessions } from './sql-sessions.js';
import { updatedOne } from './updated-one.js';
import type { Tables, UserRow } from './tables.js';
import { withUserLocked } from './user-lock.js';

function toUser(row: Selectable<UserRow>): User {
  return {
    id: row.id,
    email: row.email,
    role: row.role as Role,
    plan: row.plan,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
    emailVerifiedAt: row.email_verified_at,
  };
}

/** Sets the password hash if it is still `currentHash` (a compare-and-set); true when it did. */
async function swapPasswordHash(
  db: Kysely<Tables>,
  id: string,
  currentHash: string,
  newHash: string,
  at: number,
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ password_hash: newHash, updated_at: at })
    .where('id', '=', id)
    .where('password_hash', '=', currentHash)
    .executeTakeFirst();
  return updatedOne(result);
}

/** A unique-constraint violation, as PostgreSQL (23505) or SQLite reports it. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function createSqlUserStore(db: Kysely<Tables>): UserStore {
  // Every request that acts for a user reads it.
  const byId = compileOnce(db, ['id'], (v: { id: string }) =>
    db.selectFrom('users').selectAll().where('id', '=', v.id),
  );

  return {
    async create(user, normalizedEmail) {
      const inserted = await db
        .insertInto('users')
        .values({
          id: user.id,
          email: user.email,
          email_normalized: normalizedEmail,
          password_hash: user.passwordHash,
          role: user.role,
          plan: user.plan,
          created_at: user.createdAt,
          updated_at: user.createdAt,
          disabled_at: user.disabledAt,
          email_verified_at: user.emailVerifiedAt,
        })
        .onConflict((oc) => oc.column('email_normalized').doNothing())
        .returningAll()
        .executeTakeFirst();
      return inserted ? toUser(inserted) : null;
    },

    async findByEmail(normalizedEmail) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('email_normalized', '=', normalizedEmail)
        .executeTakeFirst();
      return row ? toUser(row) : null;
    },

    async findById(id) {
      const [row] = await byId({ id });
      return row ? toUser(row) : null;
    },

    async replacePassword(id, currentHash, newHash, at, onlySession) {
      return db.transaction().execute(async (tx) => {
        if (!(await swapPasswordHash(tx, id, currentHash, newHash, at))) return null;
        await tx
          .updateTable('pending_logins')
          .set({ used_at: at })
          .where('user_id', '=', id)
          .where('used_at', 'is', null)
          .execute();
        return endUserSessions(tx, id, at, onlySession);
      });
    },

    upgradePasswordHash: (id, currentHash, newHash, at) => swapPasswordHash(db, id, currentHash, newHash, at),

    async setDisabled(id, disabledAt, now) {
      const result = await db
        .updateTable('users')
        .set({ disabled_at: disabledAt, updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async list() {
      const rows = await db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toUser);
    },

    async setRole(id, role, now, revokeTokenRoles) {
      // One transaction under the row lock that token inserts take too (sql-credentials.ts): the
      // role reported as "before" is the one replaced, and no token stored under it survives.
      return withUserLocked(db, id, async (tx) => {
        const row = await tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) return null;
        await tx.updateTable('users').set({ role, updated_at: now }).where('id', '=', id).execute();
        const revoked =
          revokeTokenRoles.length === 0
            ? []
            : await tx
                .updateTable('api_credentials')
                .set({ revoked_at: now })
                .where('user_id', '=', id)
                .where('kind', '=', 'pat')
                .where('revoked_at', 'is', null)
                .where('role', 'in', revokeTokenRoles)
                .returningAll()
                .execute();
        return { before: toUser(row), revokedTokens: revoked.map(toCredential) };
      });
    },

    async markEmailVerified(id, normalizedEmail, at) {
      const result = await db
        .updateTable('users')
        .set({ email_verified_at: at, updated_at: at })
        .where('id', '=', id)
        .where('email_normalized', '=', normalizedEmail)
        .executeTakeFirst();
      return updatedOne(result);
    },

    async changeEmail(id, expected, newEmail, newNormalizedEmail, at) {
      try {
        return await db.transaction().execute(async (tx) => {
          const taken = await tx
            .selectFrom('users')
            .select('id')
            .where('email_normalized', '=', newNormalizedEmail)
            .executeTakeFirst();
          if (taken) return taken.id === id ? 'stale' : 'taken';
          const result = await tx
            .updateTable('users')
            .set({ email: newEmail, email_normalized: newNormalizedEmail, email_verified_at: at, updated_at: at })
            .where('id', '=', id)
            .where('email_normalized', '=', expected.normalizedEmail)
            .where('password_hash', '=', expected.passwordHash)
            .executeTakeFirst();
          return updatedOne(result) ? 'changed' : 'stale';
        });
      } catch (error) {
        // Another account took the address between the check and the update.
        if (isUniqueViolation(error)) return 'taken';
        throw error;
      }
    },

    async setPlan(id, plan, now) {
      const result = await db
        .updateTable('users')
        .set({ plan, updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst();
      return updatedOne(result);
    },

    async delete(id) {
      const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Credential, CredentialKind, CredentialStore } from '../credential-store.js';
import type { Role } from '../user-store.js';
import type { ApiCredentialRow, Tables } from './tables.js';
import { withUserLocked } from './user-lock.js';

export function toCredential(row: Selectable<ApiCredentialRow>): Credential {
  return {
    id: row.id,
    kind: row.kind as CredentialKind,
    userId: row.user_id,
    name: row.name,
    secretHash: row.secret_hash,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as string[],
    role: row.role as Role,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

function toRow(c: Credential): Insertable<ApiCredentialRow> {
  return {
    id: c.id,
    kind: c.kind,
    user_id: c.userId,
    name: c.name,
    secret_hash: c.secretHash,
    prefix: c.prefix,
    scopes: JSON.stringify(c.scopes),
    role: c.role,
    created_at: c.createdAt,
    last_used_at: c.lastUsedAt,
    revoked_at: c.revokedAt,
  };
}

export function createSqlCredentialStore(db: Kysely<Tables>): CredentialStore {
  /** Revokes the user's live credentials of `kind` that the caller's further conditions pick. */
  const revokeLive = (userId: string, kind: CredentialKind, at: number) =>
    db
      .updateTable('api_credentials')
      .set({ revoked_at: at })
      .where('user_id', '=', userId)
      .where('kind', '=', kind)
      .where('revoked_at', 'is', null);

  return {
    insert(credential) {
      // Under the lock a role change takes too: the role stored is the one the owner holds now.
      return withUserLocked(db, credential.userId, async (tx) => {
        const owner = await tx
          .selectFrom('users')
          .select('role')
          .where('id', '=', credential.userId)
          .executeTakeFirst();
        if (!owner) return null;
        const stored: Credential = { ...credential, role: owner.role as Role };
        await tx.insertInto('api_credentials').values(toRow(stored)).execute();
        return stored;
      });
    },

    async findActiveByHash(secretHash) {
      // Joined with the owner, so a disabled account's credentials stop working with it.
      const row = await db
        .selectFrom('api_credentials')
        .innerJoin('users', 'users.id', 'api_credentials.user_id')
        .selectAll('api_credentials')
        .where('api_credentials.secret_hash', '=', secretHash)
        .where('api_credentials.revoked_at', 'is', null)
        .where('users.disabled_at', 'is', null)
        .executeTakeFirst();
      return row ? toCredential(row) : null;
    },

    async listActive(userId, kind) {
      const rows = await db
        .selectFrom('api_credentials')
        .selectAll()
        .where('user_id', '=', userId)
        .where('kind', '=', kind)
        .where('revoked_at', 'is', null)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(toCredential);
    },

    async revoke(userId, id, kind, at) {
      const row = await revokeLive(userId, kind, at).where('id', '=', id).returningAll().executeTakeFirst();
      return row ? toCredential(row) : null;
    },

    insertIngestKey(credential, replace, at) {
      return db.transaction().execute(async (tx) => {
        const revoked = replace
          ? await tx
              .updateTable('api_credentials')
              .set({ revoked_at: at })
              .where('user_id', '=', credential.userId)
              .where('kind', '=', 'ingest')
              .where('revoked_at', 'is', null)
              .returningAll()
              .execute()
          : [];
        const inserted = await tx
          .insertInto('api_credentials')
          .values(toRow(credential))
          // The conflict target names the partial unique index; its predicate must be literal to match it.
          .onConflict((oc) =>
            oc.column('user_id').where('kind', '=', sql.lit('ingest')).where('revoked_at', 'is', null).doNothing(),
          )
          .returning('id')
          .executeTakeFirst();
        return inserted ? revoked.map(toCredential) : null;
      });
    },

    async touch(id, at) {
      await db.updateTable('api_credentials').set({ last_used_at: at }).where('id', '=', id).execute();
    },
  };
}

import type { Insertable, Kysely, Selectable } from 'kysely';
import type { ClientStore, OAuthClient } from '../client-store.js';
import type { OAuthClientRow, Tables } from './tables.js';

function toClient(row: Selectable<OAuthClientRow>): OAuthClient {
  return {
    id: row.id,
    name: row.name,
    secretHash: row.secret_hash,
    secretPrefix: row.secret_prefix,
    scopes: JSON.parse(row.scopes) as string[],
    canIntrospect: Number(row.can_introspect) === 1,
    canReadRevocations: Number(row.can_read_revocations) === 1,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    secretRotatedAt: Number(row.secret_rotated_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

function toRow(c: OAuthClient): Insertable<OAuthClientRow> {
  return {
    id: c.id,
    name: c.name,
    secret_hash: c.secretHash,
    secret_prefix: c.secretPrefix,
    scopes: JSON.stringify(c.scopes),
    can_introspect: c.canIntrospect ? 1 : 0,
    can_read_revocations: c.canReadRevocations ? 1 : 0,
    created_by: c.createdBy,
    created_at: c.createdAt,
    secret_rotated_at: c.secretRotatedAt,
    last_used_at: c.lastUsedAt,
  };
}

export function createSqlClientStore(db: Kysely<Tables>): ClientStore {
  return {
    async insert(client) {
      await db.insertInto('oauth_clients').values(toRow(client)).execute();
    },

    async findById(id) {
      const row = await db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toClient(row) : null;
    },

    async list() {
      const rows = await db.selectFrom('oauth_clients').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toClient);
    },

    async replaceSecret(id, secret, at) {
      const row = await db
        .updateTable('oauth_clients')
        .set({ secret_hash: secret.hash, secret_prefix: secret.prefix, secret_rotated_at: at })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? toClient(row) : null;
    },

    async delete(id) {
      const row = await db.deleteFrom('oauth_clients').where('id', '=', id).returningAll().executeTakeFirst();
      return row ? toClient(row) : null;
    },

    async touch(id, at) {
      await db.updateTable('oauth_clients').set({ last_used_at: at }).where('id', '=', id).execute();
    },
  };
}

import type { Kysely } from 'kysely';
import type { RevocationStore } from '../revocation-store.js';
import type { Tables } from './tables.js';

export function createSqlRevocationStore(db: Kysely<Tables>): RevocationStore {
  return {
    async add(revocations) {
      if (revocations.length === 0) return;
      await db
        .insertInto('revocations')
        .values(revocations.map((r) => ({ key: r.key, expires_at: r.expiresAt })))
        .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ expires_at: eb.ref('excluded.expires_at') })))
        .execute();
    },

    async listActive(now) {
      const rows = await db.selectFrom('revocations').selectAll().where('expires_at', '>', now).execute();
      return rows.map((r) => ({ key: r.key, expiresAt: r.expires_at }));
    },

    async deleteExpired(now) {
      const result = await db.deleteFrom('revocations').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

import type { Kysely, Selectable } from 'kysely';
import type { RecordedRevocation, RevocationStore } from '../revocation-store.js';
import type { RevocationRow, Tables } from './tables.js';

function toRevocation(row: Selectable<RevocationRow>): RecordedRevocation {
  return { key: row.key, expiresAt: Number(row.expires_at), seq: Number(row.seq), revokedAt: Number(row.revoked_at) };
}

export function createSqlRevocationStore(db: Kysely<Tables>): RevocationStore {
  return {
    async add(revocations, revokedAt) {
      // One row per key: a statement may not upsert the same row twice.
      const byKey = new Map(revocations.map((r) => [r.key, r]));
      if (byKey.size === 0) return [];
      return db.transaction().execute(async (tx) => {
        // The counter row's lock (PostgreSQL) or the single writer (SQLite) holds other revocations
        // back until this one commits, so feed positions become visible in order.
        const { seq: last } = await tx
          .updateTable('revocation_counter')
          .set((eb) => ({ seq: eb('seq', '+', byKey.size) }))
          .where('id', '=', 1)
          .returning('seq')
          .executeTakeFirstOrThrow();
        const first = Number(last) - byKey.size + 1;
        const recorded = [...byKey.values()].map((r, i) => ({ ...r, seq: first + i, revokedAt }));
        await tx
          .insertInto('revocations')
          .values(recorded.map((r) => ({ key: r.key, expires_at: r.expiresAt, seq: r.seq, revoked_at: revokedAt })))
          .onConflict((oc) =>
            oc.column('key').doUpdateSet((eb) => ({
              expires_at: eb.ref('excluded.expires_at'),
              seq: eb.ref('excluded.seq'),
              revoked_at: eb.ref('excluded.revoked_at'),
            })),
          )
          .execute();
        return recorded;
      });
    },

    async listActive(now) {
      const rows = await db
        .selectFrom('revocations')
        .selectAll()
        .where('expires_at', '>', now)
        .orderBy('seq')
        .execute();
      return rows.map(toRevocation);
    },

    async listSince(seq, now, limit) {
      const rows = await db
        .selectFrom('revocations')
        .selectAll()
        .where('seq', '>', seq)
        .where('expires_at', '>', now)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toRevocation);
    },

    async lastSeq() {
      const row = await db.selectFrom('revocation_counter').select('seq').where('id', '=', 1).executeTakeFirst();
      return Number(row?.seq ?? 0);
    },

    async deleteExpired(now) {
      const result = await db.deleteFrom('revocations').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

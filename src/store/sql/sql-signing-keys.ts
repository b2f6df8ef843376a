import type { Kysely } from 'kysely';
import type { SigningKeyStore } from '../signing-key-store.js';
import type { Tables } from './tables.js';

export function createSqlSigningKeyStore(db: Kysely<Tables>): SigningKeyStore {
  return {
    async insertIfAbsent(key) {
      const inserted = await db
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          env: key.env,
          generation: key.generation,
          alg: key.alg,
          private_key_enc: key.privateKeyEnc,
          public_jwk: key.publicJwk,
          created_at: key.createdAt,
        })
        .onConflict((oc) => oc.columns(['env', 'generation']).doNothing())
        .returning('kid')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async deleteAll() {
      const result = await db.deleteFrom('signing_keys').executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async listForEnv(env) {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where('env', '=', env)
        .orderBy('generation')
        .execute();
      return rows.map((row) => ({
        kid: row.kid,
        env: row.env,
        generation: Number(row.generation),
        alg: row.alg,
        privateKeyEnc: row.private_key_enc,
        publicJwk: row.public_jwk,
        createdAt: row.created_at,
      }));
    },
  };
}

import type { Kysely, Selectable } from 'kysely';
import type { ChallengePurpose, Passkey, PasskeyStore } from '../passkey-store.js';
import { updatedOne } from './updated-one.js';
import { withUserLocked } from './user-lock.js';
import type { PasskeyRow, Tables } from './tables.js';

function toPasskey(row: Selectable<PasskeyRow>): Passkey {
  return {
    id: row.id,
    userId: row.user_id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    counter: Number(row.counter),
    transports: JSON.parse(row.transports) as string[],
    deviceType: row.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
    backedUp: row.backed_up === 1,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export function createSqlPasskeyStore(db: Kysely<Tables>): PasskeyStore {
  return {
    async insert(passkey) {
      const inserted = await db
        .insertInto('passkeys')
        .values({
          id: passkey.id,
          user_id: passkey.userId,
          credential_id: passkey.credentialId,
          public_key: passkey.publicKey,
          counter: passkey.counter,
          transports: JSON.stringify(passkey.transports),
          device_type: passkey.deviceType,
          backed_up: passkey.backedUp ? 1 : 0,
          name: passkey.name,
          created_at: passkey.createdAt,
          last_used_at: passkey.lastUsedAt,
        })
        .onConflict((oc) => oc.column('credential_id').doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async listByUser(userId) {
      const rows = await db
        .selectFrom('passkeys')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toPasskey);
    },

    async findByCredentialId(credentialId) {
      const row = await db
        .selectFrom('passkeys')
        .selectAll()
        .where('credential_id', '=', credentialId)
        .executeTakeFirst();
      return row ? toPasskey(row) : null;
    },

    async rename(userId, id, name) {
      const row = await db
        .updateTable('passkeys')
        .set({ name })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .returningAll()
        .executeTakeFirst();
      return row ? toPasskey(row) : null;
    },

    delete(userId, id, keepsSignIn) {
      // Under the user's lock, so two deletions at once cannot each leave the other's passkey as
      // the last one and together remove both.
      return withUserLocked(db, userId, async (tx) => {
        const rows = await tx.selectFrom('passkeys').select('id').where('user_id', '=', userId).execute();
        if (!rows.some((row) => row.id === id)) return 'not-found' as const;
        if (!keepsSignIn(rows.length - 1)) return 'last' as const;
        await tx.deleteFrom('passkeys').where('id', '=', id).execute();
        return 'deleted' as const;
      });
    },

    async recordUse(id, counter, backedUp, at) {
      const result = await db
        .updateTable('passkeys')
        .set({ counter, backed_up: backedUp ? 1 : 0, last_used_at: at })
        .where('id', '=', id)
        .where((eb) => (counter === 0 ? eb('counter', '=', 0) : eb('counter', '<', counter)))
        .executeTakeFirst();
      return updatedOne(result);
    },

    async saveChallenge(handleHash, challenge, now) {
      await db.deleteFrom('passkey_challenges').where('expires_at', '<', now).execute();
      await db
        .insertInto('passkey_challenges')
        .values({
          handle_hash: handleHash,
          purpose: challenge.purpose,
          bound_to: challenge.boundTo,
          challenge: challenge.challenge,
          expires_at: challenge.expiresAt,
        })
        .execute();
    },

    async takeChallenge(handleHash) {
      const row = await db
        .deleteFrom('passkey_challenges')
        .where('handle_hash', '=', handleHash)
        .returningAll()
        .executeTakeFirst();
      if (!row) return null;
      return {
        purpose: row.purpose as ChallengePurpose,
        boundTo: row.bound_to,
        challenge: row.challenge,
        expiresAt: Number(row.expires_at),
      };
    },
  };
}

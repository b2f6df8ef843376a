import type { Kysely } from 'kysely';
import type { TwoFactorStore } from '../two-factor-store.js';
import { lockUserForSession } from './lock-user-for-session.js';
import { updatedOne } from './updated-one.js';
import type { Tables } from './tables.js';

export function createSqlTwoFactorStore(db: Kysely<Tables>): TwoFactorStore {
  const insertCodes = (tx: Kysely<Tables>, userId: string, hashes: string[], at: number) =>
    tx
      .insertInto('recovery_codes')
      .values(hashes.map((code_hash) => ({ code_hash, user_id: userId, created_at: at, used_at: null })))
      .execute();

  return {
    async findCredential(userId) {
      const row = await db.selectFrom('totp_credentials').selectAll().where('user_id', '=', userId).executeTakeFirst();
      if (!row) return null;
      return {
        userId: row.user_id,
        secretEnc: row.secret_enc,
        pendingSecretEnc: row.pending_secret_enc,
        enabledAt: row.enabled_at,
        lastStep: row.last_step,
      };
    },

    async setPendingSecret(userId, secretEnc) {
      await db
        .insertInto('totp_credentials')
        .values({ user_id: userId, secret_enc: null, pending_secret_enc: secretEnc, enabled_at: null, last_step: null })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ pending_secret_enc: secretEnc }))
        .execute();
    },

    enable(userId, step, at, recoveryCodeHashes) {
      return db.transaction().execute(async (tx) => {
        const result = await tx
          .updateTable('totp_credentials')
          .set((eb) => ({
            secret_enc: eb.ref('pending_secret_enc'),
            pending_secret_enc: null,
            enabled_at: at,
            last_step: step,
          }))
          .where('user_id', '=', userId)
          .where('pending_secret_enc', 'is not', null)
          .where('enabled_at', 'is', null)
          .executeTakeFirst();
        if (!updatedOne(result)) return false;
        await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
        await insertCodes(tx, userId, recoveryCodeHashes, at);
        return true;
      });
    },

    async disable(userId) {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
        await tx.deleteFrom('totp_credentials').where('user_id', '=', userId).execute();
      });
    },

    async claimStep(userId, step) {
      const result = await db
        .updateTable('totp_credentials')
        .set({ last_step: step })
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .executeTakeFirst();
      return updatedOne(result);
    },

    async replaceRecoveryCodes(userId, codeHashes, at) {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
        await insertCodes(tx, userId, codeHashes, at);
      });
    },

    async useRecoveryCode(userId, codeHash, at) {
      const result = await db
        .updateTable('recovery_codes')
        .set({ used_at: at })
        .where('code_hash', '=', codeHash)
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return updatedOne(result);
    },

    async countUnusedRecoveryCodes(userId) {
      const row = await db
        .selectFrom('recovery_codes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async createPendingLogin(jtiHash, userId, expiresAt, passwordHash) {
      return db.transaction().execute(async (tx) => {
        if (!(await lockUserForSession(tx, userId, passwordHash))) return false;
        await tx
          .insertInto('pending_logins')
          .values({ jti_hash: jtiHash, user_id: userId, expires_at: expiresAt, used_at: null })
          .execute();
        return true;
      });
    },

    async spendPendingLogin(jtiHash, at) {
      const result = await db
        .updateTable('pending_logins')
        .set({ used_at: at })
        .where('jti_hash', '=', jtiHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return updatedOne(result);
    },

    async isPendingLoginOpen(jtiHash) {
      const row = await db
        .selectFrom('pending_logins')
        .select('used_at')
        .where('jti_hash', '=', jtiHash)
        .executeTakeFirst();
      return row !== undefined && row.used_at === null;
    },
  };
}

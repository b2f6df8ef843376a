import type { Kysely, Selectable } from 'kysely';
import type { EmailToken, EmailTokenKind, EmailTokenStore } from '../email-token-store.js';
import type { EmailTokenRow, Tables } from './tables.js';
import { updatedOne } from './updated-one.js';

function toEmailToken(row: Selectable<EmailTokenRow>): EmailToken {
  return {
    tokenHash: row.token_hash,
    kind: row.kind as EmailTokenKind,
    userId: row.user_id,
    email: row.email,
    binding: row.binding,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}

export function createSqlEmailTokenStore(db: Kysely<Tables>): EmailTokenStore {
  return {
    async create(token) {
      await db.transaction().execute(async (tx) => {
        await tx
          .deleteFrom('email_tokens')
          .where('user_id', '=', token.userId)
          .where((eb) => eb.or([eb('used_at', 'is not', null), eb('expires_at', '<=', token.createdAt)]))
          .execute();
        await tx
          .insertInto('email_tokens')
          .values({
            token_hash: token.tokenHash,
            kind: token.kind,
            user_id: token.userId,
            email: token.email,
            binding: token.binding,
            created_at: token.createdAt,
            expires_at: token.expiresAt,
            used_at: token.usedAt,
          })
          .execute();
      });
    },

    async findLive(tokenHash, kind, now) {
      const row = await db
        .selectFrom('email_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where('kind', '=', kind)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row ? toEmailToken(row) : null;
    },

    async spend(tokenHash, now) {
      const result = await db
        .updateTable('email_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return updatedOne(result);
    },
  };
}

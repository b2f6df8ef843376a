import type { Kysely, Selectable } from 'kysely';
import type { VoiceLog, VoiceLogStore } from '../voice-log-store.js';
import { compileOnce, limitParameter } from './compile-once.js';
import type { Tables, VoiceLogRow } from './tables.js';
import { withUserLocked } from './user-lock.js';

function toVoiceLog(row: Selectable<VoiceLogRow>): VoiceLog {
  return {
    id: row.id,
    userId: row.user_id,
    apiKeyId: row.api_key_id,
    filename: row.filename,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
    storagePath: row.storage_path,
    metadata: row.metadata ? (JSON.parse(row.metadata) as Record<string, string>) : {},
    createdAt: row.created_at,
  };
}

async function insertRow(db: Kysely<Tables>, log: VoiceLog): Promise<void> {
  await db
    .insertInto('voice_logs')
    .values({
      id: log.id,
      user_id: log.userId,
      api_key_id: log.apiKeyId,
      filename: log.filename,
      content_type: log.contentType,
      size_bytes: log.sizeBytes,
      storage_path: log.storagePath,
      metadata: JSON.stringify(log.metadata),
      created_at: log.createdAt,
    })
    .execute();
}

async function storedBytesOf(db: Kysely<Tables>, userId: string): Promise<number> {
  const row = await db
    .selectFrom('voice_logs')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('size_bytes'), eb.lit(0)).as('total'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  // PostgreSQL sums a bigint column to numeric, which pg hands over as a string.
  return Number(row.total);
}

export function createSqlVoiceLogStore(db: Kysely<Tables>): VoiceLogStore {
  const pageOfUser = compileOnce(
    db,
    ['userId', 'limit', 'offset'],
    (v: { userId: string; limit: number; offset: number }) =>
      db
        .selectFrom('voice_logs')
        .selectAll()
        .where('user_id', '=', v.userId)
        // The id breaks ties between uploads of the same millisecond, so pages never overlap.
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limitParameter(v.limit))
        .offset(v.offset),
  );
  const countOfUser = compileOnce(db, ['userId'], (v: { userId: string }) =>
    db
      .selectFrom('voice_logs')
      .select((eb) => eb.fn.countAll().as('total'))
      .where('user_id', '=', v.userId),
  );

  return {
    insert: (log) => insertRow(db, log),

    async storedBytes(userId) {
      return storedBytesOf(db, userId);
    },

    async insertWithinQuota(log, quotaBytes) {
      return withUserLocked(db, log.userId, async (tx) => {
        if ((await storedBytesOf(tx, log.userId)) + log.sizeBytes > quotaBytes) return false;
        await insertRow(tx, log);
        return true;
      });
    },

    async findForUser(userId, id) {
      const row = await db
        .selectFrom('voice_logs')
        .selectAll()
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row ? toVoiceLog(row) : null;
    },

    async listForUser(userId, { limit, offset }) {
      const [rows, [count]] = await Promise.all([pageOfUser({ userId, limit, offset }), countOfUser({ userId })]);
      return { items: rows.map(toVoiceLog), total: Number(count!.total) };
    },

    async listStoragePaths(userId) {
      const rows = await db.selectFrom('voice_logs').select('storage_path').where('user_id', '=', userId).execute();
      return rows.map((row) => row.storage_path);
    },
  };
}

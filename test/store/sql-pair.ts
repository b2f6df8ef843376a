import type { Kysely } from 'kysely';
import { openPostgres, openSqlite, type Database } from '../../src/store/sql/database.js';
import type { Tables } from '../../src/store/sql/tables.js';
import { embeddedTarget, postgresTarget, type StorageTarget } from '../helpers/targets.js';

/** Two handles on one migrated database, as two server processes would hold them. */
export interface SqlPair {
  first: Kysely<Tables>;
  second: Kysely<Tables>;
  close(): Promise<void>;
}

async function openPair(target: StorageTarget, open: () => Database): Promise<SqlPair> {
  const databases = [open(), open()] as const;
  await databases[0].migrate();
  return {
    first: databases[0].db,
    second: databases[1].db,
    async close() {
      for (const database of databases) await database.close();
      await target.dispose();
    },
  };
}

/** The databases every store contract runs against: the embedded SQLite file and PostgreSQL. */
export const SQL_DATABASES = [
  {
    name: 'SQLite',
    open: () => {
      const target = embeddedTarget();
      return openPair(target, () => openSqlite(target.env.DATA_DIR!));
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const target = await postgresTarget();
      return openPair(target, () => openPostgres(target.env.DATABASE_URL!, 4));
    },
  },
] as const;

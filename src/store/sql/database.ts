import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Tables } from './tables.js';

export type Dialect = 'postgres' | 'sqlite';

/** An open database, with the one place where PostgreSQL and SQLite differ. */
export interface Database {
  db: Kysely<Tables>;
  dialect: Dialect;
  /** The raw SQLite handle (embedded default only), shared with the rate limiter. */
  sqlite: BetterSqlite3.Database | undefined;
  /** The raw pg pool (PostgreSQL only), shared with the rate limiter. */
  pgPool: pg.Pool | undefined;
  close(): Promise<void>;
}

const INT8_OID = 20;

// Timestamps are epoch milliseconds in bigint columns; pg returns int8 as a string by default.
// Milliseconds stay far below 2^53, so Number is exact.
const pgTypes = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
};

export function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: pgTypes as pg.CustomTypesConfig });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', sqlite: undefined, pgPool: pool, close: () => db.destroy() };
}

export function openSqlite(dataDir: string): Database {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const handle = new BetterSqlite3(join(dataDir, 'latchkey.db'));
  handle.pragma('journal_mode = WAL');
  // Several processes (server, CLI) share the file: wait for the write lock rather than fail.
  handle.pragma('busy_timeout = 5000');
  handle.pragma('foreign_keys = ON');
  handle.pragma('synchronous = NORMAL');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: handle }) });
  return { db, dialect: 'sqlite', sqlite: handle, pgPool: undefined, close: () => db.destroy() };
}

export async function pingDatabase(db: Kysely<Tables>): Promise<void> {
  await sql`select 1`.execute(db);
}

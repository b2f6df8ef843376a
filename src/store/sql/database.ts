import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { createDataDir } from '../../config/data-dir.js';
import { classifyingPool } from '../database-errors.js';
import { watchDataVersion } from '../embedded/data-version.js';
import { sqliteStatements } from '../embedded/sqlite-statements.js';
import { migrateToLatest } from './migrations.js';
import type { Tables } from './tables.js';

export type Dialect = 'postgres' | 'sqlite';

export interface EmbeddedFile {
  handle: BetterSqlite3.Database;
  /** Moves when another process commits; see watchDataVersion. */
  dataVersion: () => number;
}

/** An open database, with the one place where PostgreSQL and SQLite differ. */
export interface Database {
  db: Kysely<Tables>;
  dialect: Dialect;
  /** The SQLite file (embedded default only), shared with the kv store and the rate limiter. */
  sqlite: EmbeddedFile | undefined;
  /** The raw pg pool (PostgreSQL only), shared with the rate limiter. */
  pgPool: pg.Pool | undefined;
  /** Brings the schema up to date, one process at a time; returns the migrations applied. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

const INT8_OID = 20;
// How long a process waits for another one's migration (it blocks start-up only).
const MIGRATION_LOCK_WAIT_MS = 30_000;
const MIGRATION_LOCK_POLL_MS = 25;

// Timestamps are epoch milliseconds in bigint columns; pg returns int8 as a string by default.
// Milliseconds stay far below 2^53, so Number is exact.
const pgTypes = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
};

export function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: pgTypes as pg.CustomTypesConfig });
  // A client losing its connection (a restart, a failover) must not crash the process: idle, the
  // pool reports it here; checked out, the client itself emits it, and the query in flight rejects.
  // Either way the pool drops the client and connects a new one when next asked.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: classifyingPool(pool) }) });
  return {
    db,
    dialect: 'postgres',
    sqlite: undefined,
    pgPool: pool,
    migrate: () => migrateToLatest(db),
    close: () => db.destroy(),
  };
}

/** Where the embedded default keeps its database. */
export function embeddedDatabaseFile(dataDir: string): string {
  return join(dataDir, 'latchkey.db');
}

export function openSqlite(dataDir: string): Database {
  createDataDir(dataDir);
  const file = embeddedDatabaseFile(dataDir);
  const handle = new BetterSqlite3(file);
  // Hashes and ciphertexts only, but still nobody else's business; SQLite gives -wal and -shm the same mode.
  chmodSync(file, 0o600);
  handle.pragma('journal_mode = WAL');
  // Several processes (server, CLI) share the file: wait for the write lock rather than fail.
  handle.pragma('busy_timeout = 5000');
  handle.pragma('foreign_keys = ON');
  handle.pragma('synchronous = NORMAL');
  const dataVersion = watchDataVersion(handle);
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqliteStatements(handle) }) });
  return {
    db,
    dialect: 'sqlite',
    sqlite: { handle, dataVersion },
    pgPool: undefined,
    migrate: () => withFileLock(join(dataDir, 'migrate.lock'), () => migrateToLatest(db)),
    close: () => db.destroy(),
  };
}

/**
 * Runs `work` while holding an exclusive SQLite transaction on a separate lock file: a mutex across
 * every process on this DATA_DIR (two servers starting at once, a server and `latchkey migrate`).
 */
async function withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const lock = new BetterSqlite3(path);
  try {
    // Polled rather than busy_timeout: SQLite's wait would block this event loop, and with it a
    // lock holder in the same process.
    const deadline = Date.now() + MIGRATION_LOCK_WAIT_MS;
    for (;;) {
      try {
        lock.exec('BEGIN EXCLUSIVE');
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, MIGRATION_LOCK_POLL_MS));
      }
    }
    return await work();
  } finally {
    if (lock.inTransaction) lock.exec('COMMIT');
    lock.close();
  }
}

export async function pingDatabase(db: Kysely<Tables>): Promise<void> {
  await sql`select 1`.execute(db);
}

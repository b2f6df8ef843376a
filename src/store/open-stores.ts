import { join } from 'node:path';
import { createDataDir, type Config } from '../config/index.js';
import { createSqliteFailureStore } from './embedded/sqlite-failures.js';
import { createSqliteLimiterFactory } from './embedded/sqlite-limiters.js';
import { createSqliteKv } from './embedded/sqlite-kv.js';
import { createSqliteRevocationSignal } from './embedded/sqlite-revocation-signal.js';
import type { FailureStore } from './failure-store.js';
import type { Kv } from './kv.js';
import type { LimiterFactory } from './limiter.js';
import { createRedisLimiterFactory } from './redis/redis-limiters.js';
import { createRedisFailureStore } from './redis/redis-failures.js';
import { createRedisKv } from './redis/redis-kv.js';
import { createRedisRevocationSignal } from './redis/redis-revocation-signal.js';
import type { RevocationSignal } from './revocation-signal.js';
import { openPostgres, openSqlite, pingDatabase, type Database } from './sql/database.js';
import { createSqlAgentStore } from './sql/sql-agents.js';
import { createSqlAuditStore } from './sql/sql-audit.js';
import { createSqlClientStore } from './sql/sql-clients.js';
import { createSqlCredentialStore } from './sql/sql-credentials.js';
import { createSqlPasskeyStore } from './sql/sql-passkeys.js';
import { createSqlEmailTokenStore } from './sql/sql-email-tokens.js';
import { createSqlRevocationStore } from './sql/sql-revocations.js';
import { createSqlSessionStore } from './sql/sql-sessions.js';
import { createSqlSigningKeyStore } from './sql/sql-signing-keys.js';
import { createSqlTwoFactorStore } from './sql/sql-two-factor.js';
import { createSqlUserStore } from './sql/sql-users.js';
import { createSqlVoiceLogStore } from './sql/sql-voice-logs.js';
import { isSchemaCurrent } from './sql/migrations.js';
import { waitForPostgres } from './sql/wait-for-postgres.js';
import type { Stores } from './stores.js';
import { createUploadStorage } from './fs/fs-upload-storage.js';

export interface OpenedStores {
  stores: Stores;
  database: Database;
}

type DatabaseSettings = Pick<Config, 'databaseUrl' | 'databasePoolSize' | 'databaseConnectTimeoutSeconds' | 'dataDir'>;

/**
 * Where the stores report what the operator should know: each failed attempt to reach the
 * database at start, and the kv store going away and coming back.
 */
export interface StoreLog {
  warn(message: string): void;
  info(message: string): void;
}

const QUIET: StoreLog = { warn: () => {}, info: () => {} };

/**
 * Opens the database the config names, once DATA_DIR exists (uploads live there in every mode)
 * and PostgreSQL answers (retried for DATABASE_CONNECT_TIMEOUT_SECONDS). Failures that the
 * operator can fix throw StartupError.
 */
export async function openDatabase(config: DatabaseSettings, log: StoreLog = QUIET): Promise<Database> {
  createDataDir(config.dataDir);
  if (!config.databaseUrl) return openSqlite(config.dataDir);
  await waitForPostgres(config.databaseUrl, config.databaseConnectTimeoutSeconds, (message) => log.warn(message));
  return openPostgres(config.databaseUrl, config.databasePoolSize);
}

/**
 * Opens the database (migrating it) and the kv store the configuration names: PostgreSQL and
 * Redis in production, or the embedded SQLite file for both.
 */
export async function openStores(
  config: DatabaseSettings & Pick<Config, 'redisUrl' | 'env'>,
  now: () => number,
  log: StoreLog = QUIET,
): Promise<OpenedStores> {
  const database = await openDatabase(config, log);
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  let kv: Kv;
  let createLimiter: LimiterFactory;
  let failures: FailureStore;
  let revocationSignal: RevocationSignal;
  if (config.redisUrl) {
    const redis = createRedisKv(config.redisUrl, log);
    kv = redis.kv;
    createLimiter = createRedisLimiterFactory(redis.client);
    failures = createRedisFailureStore(redis.client, now);
    revocationSignal = createRedisRevocationSignal(config.redisUrl, redis.client, config.env);
  } else if (database.sqlite) {
    kv = createSqliteKv(database.db, database.sqlite, now);
    createLimiter = createSqliteLimiterFactory(database.db, database.sqlite.handle);
    failures = createSqliteFailureStore(database.db, now);
    revocationSignal = createSqliteRevocationSignal(database.sqlite);
  } else {
    throw new TypeError('openStores: PostgreSQL needs a REDIS_URL (the config loader enforces this)');
  }
  const db = database.db;
  const stores: Stores = {
    users: createSqlUserStore(db),
    sessions: createSqlSessionStore(db),
    signingKeys: createSqlSigningKeyStore(db),
    revocations: createSqlRevocationStore(db),
    audit: createSqlAuditStore(db),
    twoFactor: createSqlTwoFactorStore(db),
    passkeys: createSqlPasskeyStore(db),
    credentials: createSqlCredentialStore(db),
    clients: createSqlClientStore(db),
    agents: createSqlAgentStore(db),
    emailTokens: createSqlEmailTokenStore(db),
    voiceLogs: createSqlVoiceLogStore(db),
    uploads: createUploadStorage(join(config.dataDir, 'uploads')),
    kv,
    limiters: createLimiter,
    failures,
    revocationSignal,
    pingDatabase: () => pingDatabase(db),
    isSchemaCurrent: () => isSchemaCurrent(db),
    async close() {
      await revocationSignal.close();
      await kv.close();
      await database.close();
    },
  };
  return { stores, database };
}

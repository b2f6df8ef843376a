import { Migrator, PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

// Migrations are code, ordered by name, and never edited once shipped: add a new one instead.
const migrations: Record<string, Migration> = {
  '0001_core': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('email_normalized', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('plan', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('disabled_at', 'bigint')
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .execute();
      await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();

      await db.schema
        .createTable('refresh_tokens')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('parent_hash', 'text')
        .addColumn('issued_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('successor_enc', 'text')
        .execute();
      await db.schema.createIndex('refresh_tokens_session_id').on('refresh_tokens').column('session_id').execute();

      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('env', 'text', (c) => c.notNull())
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('alg', 'text', (c) => c.notNull())
        .addColumn('private_key_enc', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('signing_keys_env_generation', ['env', 'generation'])
        .execute();

      await db.schema
        .createTable('revocations')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('revocations_expires_at').on('revocations').column('expires_at').execute();

      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('details', 'text')
        .execute();
      await db.schema.createIndex('audit_events_user_id_at').on('audit_events').columns(['user_id', 'at']).execute();

      await db.schema
        .createTable('kv_entries')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0002_two_factor': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('totp_credentials')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('secret_enc', 'text')
        .addColumn('pending_secret_enc', 'text')
        .addColumn('enabled_at', 'bigint')
        .addColumn('last_step', 'bigint')
        .execute();

      await db.schema
        .createTable('recovery_codes')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await db.schema.createIndex('recovery_codes_user_id').on('recovery_codes').column('user_id').execute();

      await db.schema
        .createTable('pending_logins')
        .addColumn('jti_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
    },
  },
  '0003_credentials_and_resources': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('api_credentials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('api_credentials_user_id_kind')
        .on('api_credentials')
        .columns(['user_id', 'kind'])
        .execute();

      await db.schema
        .createTable('agents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('agents_user_id_created_at')
        .on('agents')
        .columns(['user_id', 'created_at'])
        .execute();

      await db.schema
        .createTable('voice_logs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('api_key_id', 'text')
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size_bytes', 'bigint', (c) => c.notNull())
        .addColumn('storage_path', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('voice_logs_user_id_created_at')
        .on('voice_logs')
        .columns(['user_id', 'created_at'])
        .execute();
    },
  },
  '0004_session_rotation': {
    async up(db: Kysely<any>) {
      // Whether the session's refresh tokens rotate: fixed when the session starts (by the surface
      // that started it), so another surface cannot refresh it without rotation.
      await db.schema
        .alterTable('sessions')
        .addColumn('rotating', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
    },
  },
  '0005_one_live_ingest_key': {
    async up(db: Kysely<any>) {
      // One live ingest key per user, enforced where racing requests cannot get around it.
      await db.schema
        .createIndex('api_credentials_one_live_ingest_key')
        .on('api_credentials')
        .column('user_id')
        .unique()
        .where(sql.ref('kind'), '=', 'ingest')
        .where(sql.ref('revoked_at'), 'is', null)
        .execute();
    },
  },
  '0006_agents_listing_index': {
    async up(db: Kysely<any>) {
      // The listing orders by (created_at, id) within a user: an index on all three saves a sort.
      await db.schema.dropIndex('agents_user_id_created_at').execute();
      await db.schema
        .createIndex('agents_user_id_created_at_id')
        .on('agents')
        .columns(['user_id', 'created_at', 'id'])
        .execute();
    },
  },
  '0007_refresh_spent_by': {
    async up(db: Kysely<any>) {
      // Which client spent a refresh token: inside the grace window only that client gets the
      // successor again (RFC 9700 section 4.14.2).
      await db.schema.alterTable('refresh_tokens').addColumn('spent_by', 'text').execute();
    },
  },
  '0008_failure_records': {
    async up(db: Kysely<any>) {
      // Read only on the embedded default (Redis holds them otherwise); created everywhere so both schemas match.
      await db.schema
        .createTable('failure_records')
        .addColumn('grp', 'text', (c) => c.notNull())
        .addColumn('member', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('failure_records_pkey', ['grp', 'member'])
        .execute();
      await db.schema.createIndex('failure_records_expires_at').on('failure_records').column('expires_at').execute();
    },
  },
  '0009_oauth_clients': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('oauth_clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
        .addColumn('secret_prefix', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('can_introspect', 'integer', (c) => c.notNull())
        .addColumn('can_read_revocations', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('secret_rotated_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .execute();
      // The revocation feed: every write of a revocation takes the next number from one counter row
      // in its transaction, so numbers are committed in order and a reader resuming after one misses none.
      await db.schema
        .alterTable('revocations')
        .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('revocations')
        .addColumn('revoked_at', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('revocations_seq').on('revocations').column('seq').execute();
      await db.schema
        .createTable('revocation_counter')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('revocation_counter').values({ id: 1, seq: 0 }).execute();
    },
  },
  '0010_passkeys': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('passkeys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('credential_id', 'text', (c) => c.notNull().unique())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('counter', 'bigint', (c) => c.notNull())
        .addColumn('transports', 'text', (c) => c.notNull())
        .addColumn('device_type', 'text', (c) => c.notNull())
        .addColumn('backed_up', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .execute();
      await db.schema.createIndex('passkeys_user_id').on('passkeys').column('user_id').execute();
      // WebAuthn challenges live in the database, not Redis: the embedded default has no Redis, and
      // a delete that returns the row makes each one single use across every instance.
      await db.schema
        .createTable('passkey_challenges')
        .addColumn('handle_hash', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('bound_to', 'text')
        .addColumn('challenge', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('passkey_challenges_expires_at')
        .on('passkey_challenges')
        .column('expires_at')
        .execute();
    },
  },
  '0011_email': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute();
      // Accounts from before e-mail existed count as verified: EMAIL_VERIFICATION=required must not lock them out.
      await db
        .updateTable('users')
        .set((eb: any) => ({ email_verified_at: eb.ref('created_at') }))
        .execute();
      await db.schema
        .createTable('email_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('binding', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await db.schema.createIndex('email_tokens_user_id').on('email_tokens').column('user_id').execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Brings the schema up to date. On PostgreSQL, Kysely's migrator holds an advisory lock, so
 * instances starting at once migrate one after the other; on SQLite its lock does nothing, and
 * the caller holds one instead (see openSqlite).
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrationTableSchema = await postgresCurrentSchema(db);
  const migrator = new Migrator({ db, provider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Whether every migration this build knows has been applied (rejects when the database cannot answer). */
export async function isSchemaCurrent(db: Kysely<any>): Promise<boolean> {
  const migrationTableSchema = await postgresCurrentSchema(db);
  const migrator = new Migrator({ db, provider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  return (await migrator.getMigrations()).every((m) => m.executedAt !== undefined);
}

/**
 * The schema our tables go to (the first of search_path). Kysely looks for its migration tables in
 * every schema unless told which: a second Latchkey (another environment) or any other Kysely app in
 * the same database would make it skip creating them, and start-up would fail.
 */
async function postgresCurrentSchema(db: Kysely<any>): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

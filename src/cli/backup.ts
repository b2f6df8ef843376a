import { chmodSync, renameSync, rmSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { type Config, StartupError } from '../config/index.js';
import { distrustTokensBeforeRestore } from '../core/index.js';
import { embeddedDatabaseFile } from '../store/sql/database.js';
import { confirmDeletion } from './confirm.js';
import { CLI_CONTEXT, withCore } from './users.js';

function requireEmbedded(config: Readonly<Config>, command: string): void {
  if (config.databaseUrl !== undefined) {
    throw new StartupError(`${command} is for the embedded default; with DATABASE_URL use pg_dump and pg_restore`);
  }
}

/** Copies `from` into `to` with SQLite's online backup: consistent while a server writes to `from`. */
async function copyDatabase(from: string, to: string): Promise<void> {
  const partial = `${to}.partial`;
  const source = new BetterSqlite3(from, { readonly: true, fileMustExist: true });
  try {
    await source.backup(partial);
  } finally {
    source.close();
  }
  chmodSync(partial, 0o600);
  renameSync(partial, to);
}

/** `latchkey backup --to FILE`: a copy of the embedded database, taken while the server runs. */
export async function backup(config: Readonly<Config>, to: string): Promise<void> {
  requireEmbedded(config, 'latchkey backup');
  await copyDatabase(embeddedDatabaseFile(config.dataDir), to);
  console.log(`backed up to ${to}`);
}

/** Whether `file` is a SQLite database with Latchkey's tables, intact. */
function checkBackup(file: string): void {
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    const intact = db.pragma('quick_check', { simple: true }) === 'ok';
    const ours = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'signing_keys'").get();
    if (!intact || !ours) throw new Error('not ours');
  } catch {
    throw new StartupError(`${file} is not a Latchkey backup (an intact SQLite database with its tables)`);
  } finally {
    db?.close();
  }
}

/**
 * `latchkey restore --from FILE` (embedded: replaces the database with the backup) or
 * `--in-place` (the database already holds the backup, e.g. after pg_restore). Either way every
 * session ends and the signing keys are replaced: revocations made after the backup are lost
 * with the rest of that time, so no token issued before the restore may outlive it.
 */
export async function restore(
  config: Readonly<Config>,
  options: { from?: string; inPlace?: boolean; yes?: boolean },
): Promise<void> {
  if ((options.from === undefined) === (options.inPlace !== true)) {
    throw new StartupError('latchkey restore needs one of --from FILE or --in-place');
  }
  if (options.from !== undefined) {
    requireEmbedded(config, 'latchkey restore --from');
    checkBackup(options.from);
  }
  await confirmDeletion(
    'latchkey restore',
    options,
    'Stop every Latchkey instance first. The restore signs everyone out and replaces the signing keys. Type "restore" to go on: ',
    'restore',
  );
  if (options.from !== undefined) {
    const file = embeddedDatabaseFile(config.dataDir);
    // The replaced database's write-ahead log would be replayed onto the backup.
    for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    await copyDatabase(options.from, file);
  }
  const outcome = await withCore(config, (core) => distrustTokensBeforeRestore(core, CLI_CONTEXT));
  console.log(`restored: ${outcome.sessionsEnded} sessions ended, ${outcome.keysReplaced} signing keys replaced`);
}

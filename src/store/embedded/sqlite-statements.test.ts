import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../../test/helpers/clock.js';
import { OTHER_PROCESS_LAG_MS, watchDataVersion } from './data-version.js';
import { sqliteStatements } from './sqlite-statements.js';

const SELECT = 'select name from items where id = ?';
const INSERT = 'insert into items (id, name) values (?, ?)';
const RENAME = 'update items set name = ? where id = ?';

// Two connections on one file: `ours` is this process, `theirs` stands for another process (the
// CLI, a second server).
describe('sqliteStatements', () => {
  let dir: string;
  let ours: BetterSqlite3.Database;
  let theirs: BetterSqlite3.Database;
  let database: SqliteDatabase;

  const nameOf = (id: number) => (database.prepare(SELECT).all([id]) as { name: string }[])[0]?.name;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-statements-'));
    ours = new BetterSqlite3(join(dir, 'db'));
    ours.pragma('journal_mode = WAL');
    ours.exec('create table items (id integer primary key, name text)');
    ours.prepare(INSERT).run(1, 'first');
    theirs = new BetterSqlite3(join(dir, 'db'));
    database = sqliteStatements(ours);
  });
  afterEach(() => {
    database.close();
    theirs.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prepares each SQL text once', () => {
    expect(database.prepare(SELECT)).toBe(database.prepare(SELECT));
  });

  it('reads from SQLite every time: this connection’s writes and another process’s commits show at once', () => {
    expect(nameOf(1)).toBe('first');
    database.prepare(RENAME).run(['ours', 1]);
    expect(nameOf(1)).toBe('ours');
    theirs.prepare(RENAME).run('theirs', 1);
    expect(nameOf(1)).toBe('theirs');
  });

  it('lets every statement go once it holds as many SQL texts as it may, and prepares anew', () => {
    const first = database.prepare(SELECT);
    for (let i = 0; i < 500; i++) database.prepare(`select ${i}`);
    expect(database.prepare(SELECT)).not.toBe(first);
    expect(nameOf(1)).toBe('first');
  });
});

describe('watchDataVersion', () => {
  it('asks SQLite at most once a millisecond, and then sees another connection’s commit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-version-'));
    const ours = new BetterSqlite3(join(dir, 'db'));
    const theirs = new BetterSqlite3(join(dir, 'db'));
    try {
      ours.pragma('journal_mode = WAL');
      ours.exec('create table t (x)');
      const clock = manualClock(0);
      const version = watchDataVersion(ours, clock);
      const before = version();
      theirs.exec('insert into t values (1)');
      // Within the same millisecond the version is the one SQLite gave last.
      expect(version()).toBe(before);
      clock.advance(OTHER_PROCESS_LAG_MS);
      expect(version()).not.toBe(before);
      // This connection's own commits do not move it.
      const after = version();
      ours.exec('insert into t values (2)');
      clock.advance(OTHER_PROCESS_LAG_MS);
      expect(version()).toBe(after);
    } finally {
      ours.close();
      theirs.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

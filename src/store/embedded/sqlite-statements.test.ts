import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock, type ManualClock } from '../../../test/helpers/clock.js';
import { OTHER_PROCESS_LAG_MS, watchDataVersion } from './data-version.js';
import { sqliteStatements } from './sqlite-statements.js';

const SELECT = 'select name from items where id = ?';
const INSERT = 'insert into items (id, name) values (?, ?)';
const RENAME = 'update items set name = ? where id = ?';

// Two connections on one file: `ours` is this process, `theirs` stands for another process (the
// CLI, a second server), whose commits only the data version tells ours about.
describe('sqliteStatements and watchDataVersion', () => {
  let dir: string;
  let ours: BetterSqlite3.Database;
  let theirs: BetterSqlite3.Database;
  let clock: ManualClock;
  let database: SqliteDatabase;

  const nameOf = (id: number) => (database.prepare(SELECT).all([id]) as { name: string }[])[0]?.name;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-statements-'));
    ours = new BetterSqlite3(join(dir, 'db'));
    ours.pragma('journal_mode = WAL');
    ours.exec('create table items (id integer primary key, name text)');
    ours.prepare(INSERT).run(1, 'first');
    theirs = new BetterSqlite3(join(dir, 'db'));
    clock = manualClock(0);
    database = sqliteStatements(ours, watchDataVersion(ours, clock));
  });
  afterEach(() => {
    database.close();
    theirs.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prepares each SQL text once', () => {
    expect(database.prepare(SELECT)).toBe(database.prepare(SELECT));
  });

  it('answers a repeated read from memory, with frozen rows', () => {
    const rows = database.prepare(SELECT).all([1]);
    expect(rows).toEqual([{ name: 'first' }]);
    const again = database.prepare(SELECT).all([1]);
    expect(again[0]).toBe(rows[0]);
    expect(Object.isFrozen(rows[0])).toBe(true);
    // The array is the caller's own.
    again.pop();
    expect(database.prepare(SELECT).all([1])).toEqual([{ name: 'first' }]);
    // Other values are another read.
    expect(database.prepare(SELECT).all([2])).toEqual([]);
  });

  it('forgets every cached read when this connection writes', () => {
    expect(nameOf(1)).toBe('first');
    database.prepare(RENAME).run(['renamed', 1]);
    expect(nameOf(1)).toBe('renamed');
    database.prepare(INSERT).run([2, 'second']);
    expect(nameOf(2)).toBe('second');
    // A write that returns rows is still a write.
    expect(database.prepare('update items set name = ? where id = ? returning id').all(['returned', 2])).toEqual([{ id: 2 }]);
    expect(nameOf(2)).toBe('returned');
  });

  it('sees another process’s commit once OTHER_PROCESS_LAG_MS has passed', () => {
    expect(nameOf(1)).toBe('first');
    theirs.prepare(RENAME).run('theirs', 1);
    // Within the lag the answer may be the one from before; after it, it must not be.
    expect(nameOf(1)).toBe('first');
    clock.advance(OTHER_PROCESS_LAG_MS);
    expect(nameOf(1)).toBe('theirs');
  });

  it('reads in a transaction from SQLite, never from memory', () => {
    expect(nameOf(1)).toBe('first');
    theirs.prepare(RENAME).run('theirs', 1);
    const begin = database.prepare('begin');
    begin.run([]);
    expect(nameOf(1)).toBe('theirs');
    database.prepare('commit').run([]);
  });

  it('does not cache a read whose values JSON cannot name exactly', () => {
    const byBlob = 'select count(*) as n from items where name = ?';
    const [first] = database.prepare(byBlob).all([Buffer.from('first')]);
    expect(database.prepare(byBlob).all([Buffer.from('first')])[0]).not.toBe(first);
    // JSON writes Infinity as null; the two must not share an answer.
    const isNull = 'select ? is null as answer';
    expect(database.prepare(isNull).all([null])).toEqual([{ answer: 1 }]);
    expect(database.prepare(isNull).all([Infinity])).toEqual([{ answer: 0 }]);
  });

  it('does not cache a read whose answer depends on more than the tables and the values', () => {
    const [first] = database.prepare('select random() as r').all([]);
    expect(database.prepare('select random() as r').all([])[0]).not.toBe(first);
  });

  it('stays bounded when every read finds nothing (lookups of made-up tokens)', () => {
    expect(nameOf(1)).toBe('first');
    theirs.prepare(RENAME).run('theirs', 1);
    expect(nameOf(1)).toBe('first');
    // No millisecond passes, yet after more empty answers than the bound the cache starts again
    // empty, and the read of id 1 goes to SQLite.
    const select = database.prepare(SELECT);
    for (let id = 1_000; id < 11_001; id++) select.all([id]);
    expect(nameOf(1)).toBe('theirs');
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

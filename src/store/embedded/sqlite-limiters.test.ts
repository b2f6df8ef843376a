import Database from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createSqliteLimiterFactory } from './sqlite-limiters.js';
import type { Tables } from '../sql/tables.js';

describe('embedded rate limiters', () => {
  const handle = new Database(':memory:');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: handle }) });
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => handle.close());

  async function limiterOf(name: string, points: number) {
    const limiter = createSqliteLimiterFactory(db, handle)({ name, points, durationSeconds: 60 });
    // The library creates its table in the background.
    await new Promise(setImmediate);
    return limiter;
  }

  it('count and reset as before while preparing each statement only once', async () => {
    const prepare = vi.spyOn(handle, 'prepare');
    const limiter = await limiterOf('test', 3);
    const first = await limiter.consume('client');
    const preparedByFirstCall = prepare.mock.calls.length;
    expect(first.allowed).toBe(true);
    expect((await limiter.consume('client')).allowed).toBe(true);
    expect((await limiter.consume('client')).allowed).toBe(true);
    const refused = await limiter.consume('client');
    expect(refused).toMatchObject({ allowed: false });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    await limiter.reset('client');
    await limiter.reset('client');
    expect((await limiter.consume('client')).allowed).toBe(true);
    // The first consume prepared the table and the upsert; after it, only the delete is new.
    expect(prepare.mock.calls.length).toBe(preparedByFirstCall + 1);
  });

  it('peeks at a budget without taking from it: spent only once more than the points were taken', async () => {
    const limiter = await limiterOf('peek', 2);
    expect(await limiter.peek('guesser')).toEqual({ allowed: true, retryAfterMs: 0 });
    for (let i = 0; i < 2; i++) expect((await limiter.consume('guesser')).allowed).toBe(true);
    for (let i = 0; i < 3; i++) expect(await limiter.peek('guesser')).toEqual({ allowed: true, retryAfterMs: 0 });
    expect((await limiter.consume('guesser')).allowed).toBe(false);
    const spent = await limiter.peek('guesser');
    expect(spent.allowed).toBe(false);
    expect(spent.retryAfterMs).toBeGreaterThan(0);
    expect(await limiter.peek('someone else')).toEqual({ allowed: true, retryAfterMs: 0 });
  });

  // The library writes through the raw handle that Kysely shares; a count taken inside another
  // request's open transaction would vanish with that transaction's rollback.
  it('keeps the attempts it counted while another request had a transaction open, when that one rolls back', async () => {
    const limiter = await limiterOf('lockout', 3);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const otherRequest = db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await gate;
      throw new Error('rolled back');
    });
    await new Promise(setImmediate);
    const attempts = [1, 2, 3].map(() => limiter.consume('attacker'));
    await new Promise(setImmediate);
    release();
    await expect(otherRequest).rejects.toThrow('rolled back');
    expect((await Promise.all(attempts)).map((attempt) => attempt.allowed)).toEqual([true, true, true]);
    expect(await limiter.consume('attacker')).toMatchObject({ allowed: false });
  });
});

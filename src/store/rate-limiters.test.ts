import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createSqliteLimiterFactory } from './rate-limiters.js';

describe('embedded rate limiters', () => {
  const handle = new Database(':memory:');
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => handle.close());

  it('count and reset as before while preparing each statement only once', async () => {
    const prepare = vi.spyOn(handle, 'prepare');
    const limiter = createSqliteLimiterFactory(handle)({ name: 'test', points: 3, durationSeconds: 60 });
    // The library creates its table in the background.
    await new Promise(setImmediate);
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
});

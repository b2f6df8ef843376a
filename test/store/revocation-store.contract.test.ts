import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RevocationStore } from '../../src/store/revocation-store.js';
import { createSqlRevocationStore } from '../../src/store/sql/sql-revocations.js';
import { SQL_DATABASES, type SqlPair } from './sql-pair.js';
import { NOW } from './store-fixtures.js';

const LATER = NOW + 3_600_000;
const aKey = () => `jti:${randomBytes(8).toString('hex')}`;

describe.each(SQL_DATABASES)('the revocation store contract on $name', ({ name, open }) => {
  let pair: SqlPair;
  let revocations: RevocationStore;
  let otherProcess: RevocationStore;

  beforeAll(async () => {
    pair = await open();
    revocations = createSqlRevocationStore(pair.first);
    otherProcess = createSqlRevocationStore(pair.second);
  });
  afterAll(async () => {
    await pair?.close();
  });

  it('gives every revocation a position after all earlier ones, in either process', async () => {
    const start = await revocations.lastSeq();
    const first = await revocations.add(
      [aKey(), aKey()].map((key) => ({ key, expiresAt: LATER })),
      NOW,
    );
    const second = await otherProcess.add([{ key: aKey(), expiresAt: LATER }], NOW + 1);
    const seqs = [...first, ...second].map((r) => r.seq);
    expect(seqs).toEqual([start + 1, start + 2, start + 3]);
    expect(second[0]).toMatchObject({ revokedAt: NOW + 1, expiresAt: LATER });
    expect(await revocations.lastSeq()).toBe(start + 3);
    // One key twice in a call is one revocation.
    const key = aKey();
    expect(
      await revocations.add(
        [
          { key, expiresAt: LATER },
          { key, expiresAt: LATER },
        ],
        NOW,
      ),
    ).toHaveLength(1);
  });

  it('lists exactly the unexpired revocations after a position, in order, a page at a time', async () => {
    const from = await revocations.lastSeq();
    const expired = aKey();
    const keys = [aKey(), aKey(), aKey()];
    await revocations.add([{ key: keys[0]!, expiresAt: LATER }], NOW);
    await revocations.add([{ key: expired, expiresAt: NOW + 10 }], NOW);
    await revocations.add(
      [
        { key: keys[1]!, expiresAt: LATER },
        { key: keys[2]!, expiresAt: LATER },
      ],
      NOW,
    );

    const after = await otherProcess.listSince(from, NOW + 20, 100);
    expect(after.map((r) => r.key)).toEqual(keys);
    expect(after.map((r) => r.seq)).toEqual([from + 1, from + 3, from + 4]);
    expect((await otherProcess.listSince(from + 3, NOW + 20, 100)).map((r) => r.key)).toEqual([keys[2]]);
    expect((await otherProcess.listSince(from, NOW + 20, 2)).map((r) => r.key)).toEqual(keys.slice(0, 2));
    expect((await otherProcess.listSince(from, NOW, 100)).map((r) => r.key)).toEqual([
      keys[0],
      expired,
      ...keys.slice(1),
    ]);
    expect(await otherProcess.listSince(from + 4, NOW, 100)).toEqual([]);
    expect((await otherProcess.listActive(NOW + 20)).map((r) => r.key)).toEqual(expect.arrayContaining(keys));
  });

  it('moves a renewed key to a new position with its new expiry and revocation time', async () => {
    const key = aKey();
    const [first] = await revocations.add([{ key, expiresAt: LATER }], NOW);
    const [renewed] = await otherProcess.add([{ key, expiresAt: LATER + 1 }], NOW + 5);
    expect(renewed!.seq).toBeGreaterThan(first!.seq);
    const listed = (await revocations.listSince(first!.seq - 1, NOW, 100)).filter((r) => r.key === key);
    expect(listed).toEqual([{ key, seq: renewed!.seq, expiresAt: LATER + 1, revokedAt: NOW + 5 }]);
  });

  // SQLite has one writer: the race exists on PostgreSQL only, so only there is it a test.
  const itOnPostgres = name === 'PostgreSQL' ? it : () => {};
  itOnPostgres(
    'gives racing adds from two processes distinct positions, and a reader never sees a later one before an earlier one',
    async () => {
      const from = await revocations.lastSeq();
      const total = 120;
      let writing = true;
      const observed: number[][] = [];
      const reader = (async () => {
        while (writing) observed.push((await otherProcess.listSince(from, NOW, 1_000)).map((r) => r.seq));
      })();
      const added = await Promise.all(
        Array.from({ length: total }, (_, i) =>
          (i % 2 === 0 ? revocations : otherProcess).add([{ key: aKey(), expiresAt: LATER }], NOW),
        ),
      );
      writing = false;
      await reader;

      const seqs = added.map(([r]) => r!.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: total }, (_, i) => from + 1 + i));
      // Every read saw a prefix of the positions: commits become visible in position order.
      for (const seen of observed) expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => from + 1 + i));
      expect(observed.some((seen) => seen.length > 0 && seen.length < total)).toBe(true);
    },
  );
});

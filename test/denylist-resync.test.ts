import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { Denylist, FALLBACK_MAX_AGE_MS } from '../src/core/index.js';
import { openStores } from '../src/store/open-stores.js';
import type { Stores } from '../src/store/stores.js';
import { manualClock } from './helpers/clock.js';
import { TARGETS, type StorageTarget } from './helpers/targets.js';

describe.each(TARGETS)('rebuilding the denylist copy on $name', ({ create }) => {
  const clock = manualClock();
  let target: StorageTarget;
  let stores: Stores;

  beforeAll(async () => {
    target = await create();
    ({ stores } = await openStores(loadConfig({ LOG_LEVEL: 'silent', ...target.env }), clock));
    // Redis connects after openStores returns; the embedded kv is ready at once.
    if (target.name === 'postgres+redis') await new Promise<void>((resolve) => stores.kv.onReady(resolve));
  });
  afterAll(async () => {
    await stores?.close();
    await target?.dispose();
  });

  it('answers from the database from the start of a rebuild until the latest one completes, then from the kv copy', async () => {
    // Fresh keys: Redis is shared by every run.
    const revoked = `jti:${randomBytes(6).toString('hex')}`;
    const neverRevoked = `jti:${randomBytes(6).toString('hex')}`;
    // Revoked in the record only, as if the kv store had lost its copy.
    await stores.revocations.add([{ key: revoked, expiresAt: clock() + 60_000 }], clock());
    const denylist = new Denylist(stores.kv, stores.revocations, clock);
    // Trusted before any rebuild: the kv copy, which lacks the entry, answers.
    await expect(denylist.isRevoked([revoked])).resolves.toBe(false);

    const first = denylist.beginResync();
    expect(denylist.usingFallback).toBe(true);
    await expect(denylist.isRevoked([revoked])).resolves.toBe(true);
    // The kv store reconnected meanwhile: the first rebuild no longer vouches for the copy.
    const second = denylist.beginResync();
    expect(denylist.isCurrentResync(first)).toBe(false);
    await denylist.completeResync(first);
    expect(denylist.usingFallback).toBe(true);
    // Recorded by another process after the mirror's first read: seen once the mirror reads again.
    const later = `jti:${randomBytes(6).toString('hex')}`;
    await stores.revocations.add([{ key: later, expiresAt: clock() + 60_000 }], clock());
    clock.advance(FALLBACK_MAX_AGE_MS + 1);
    await expect(denylist.isRevoked([later])).resolves.toBe(true);

    await denylist.completeResync(second);
    expect(denylist.usingFallback).toBe(false);
    await expect(denylist.isRevoked([revoked])).resolves.toBe(true);
    await expect(denylist.isRevoked([later])).resolves.toBe(true);
    await expect(denylist.isRevoked([neverRevoked])).resolves.toBe(false);
  });
});

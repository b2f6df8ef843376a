import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { Denylist } from '../src/core/index.js';
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

  it('fails closed from the start of a rebuild until the latest one completes, and then sees what was revoked', async () => {
    // Fresh keys: Redis is shared by every run.
    const revoked = `jti:${randomBytes(6).toString('hex')}`;
    const neverRevoked = `jti:${randomBytes(6).toString('hex')}`;
    // Revoked in the record only, as if the kv store had lost its copy.
    await stores.revocations.add([{ key: revoked, expiresAt: clock() + 60_000 }], clock());
    const denylist = new Denylist(stores.kv, stores.revocations, clock);

    const first = denylist.beginResync();
    await expect(denylist.isRevoked([revoked])).rejects.toMatchObject({ code: 'KV_UNAVAILABLE' });
    // The kv store reconnected meanwhile: the first rebuild no longer vouches for the copy.
    const second = denylist.beginResync();
    expect(denylist.isCurrentResync(first)).toBe(false);
    await denylist.completeResync(first);
    await expect(denylist.isRevoked([revoked])).rejects.toMatchObject({ code: 'KV_UNAVAILABLE' });

    await denylist.completeResync(second);
    expect(denylist.isCurrentResync(second)).toBe(true);
    await expect(denylist.isRevoked([revoked])).resolves.toBe(true);
    await expect(denylist.isRevoked([neverRevoked])).resolves.toBe(false);
  });
});

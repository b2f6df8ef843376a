import { setTimeout as delay } from 'node:timers/promises';
import { type Core, FALLBACK_REFRESH_MS, KEY_RING_RELOAD_MS } from '../core/index.js';

const FIRST_RESYNC_WAIT_MS = 500;
// Also copied now and then while connected: Redis may lose keys without a reconnect (eviction, a
// FLUSHDB, a write that failed after the database write succeeded).
const PERIODIC_RESYNC_MS = 60_000;

/** Background work of a running core; `stop` clears every timer. */
export interface CoreTimers {
  stop(): void;
}

/**
 * Schedules the key ring's reloads and the denylist's rebuilds, and fills the denylist's kv copy
 * at start-up (the kv store may have lost its data while no instance ran). While the denylist
 * checks against the database (the kv store failed, or is being rebuilt), its mirror is refreshed
 * and a rebuild tried every FALLBACK_REFRESH_MS. Waits briefly for the first rebuild only: an
 * unreachable kv store must not stop start-up. No timer keeps the process alive.
 */
export async function startCoreTimers(core: Core): Promise<CoreTimers> {
  const { denylist, keys } = core;
  let rebuilding: Promise<void> | undefined;
  // One rebuild at a time; a (re)connect or failure meanwhile makes it stale, and the next tick retries.
  const rebuild = () =>
    (rebuilding ??= denylist
      .completeResync(denylist.currentResync)
      .catch(() => {})
      .finally(() => {
        rebuilding = undefined;
      }));
  const tick = () => {
    if (!denylist.usingFallback) return;
    void denylist.refreshFallback().catch(() => {});
    void rebuild();
  };
  core.stores.kv.onReady(() => {
    denylist.beginResync();
    if (rebuilding) void rebuilding.then(rebuild);
    else void rebuild();
  });
  const timers = [
    setInterval(() => void keys.reload().catch(() => {}), KEY_RING_RELOAD_MS),
    setInterval(() => void denylist.resync().catch(() => {}), PERIODIC_RESYNC_MS),
    setInterval(tick, FALLBACK_REFRESH_MS),
  ];
  for (const timer of timers) timer.unref();
  denylist.beginResync();
  await Promise.race([rebuild(), delay(FIRST_RESYNC_WAIT_MS, undefined, { ref: false })]);
  return {
    stop() {
      for (const timer of timers) clearInterval(timer);
    },
  };
}

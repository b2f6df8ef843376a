import { setTimeout as delay } from 'node:timers/promises';
import { type Core, type Denylist, KEY_RING_RELOAD_MS } from '../core/index.js';

const RESYNC_RETRY_MS = 1_000;
// Also copied now and then while connected: Redis may lose keys without a reconnect (eviction, a
// FLUSHDB, a write that failed after the database write succeeded).
const PERIODIC_RESYNC_MS = 60_000;

/** Background work of a running core; `stop` clears every timer. */
export interface CoreTimers {
  stop(): void;
}

async function resyncUntilDone(denylist: Denylist, stopped: AbortSignal): Promise<void> {
  const attempt = denylist.beginResync();
  while (denylist.isCurrentResync(attempt) && !stopped.aborted) {
    try {
      await denylist.completeResync(attempt);
      return;
    } catch {
      // Not reachable yet: the next 'ready' starts a fresh attempt; meanwhile keep trying.
      await delay(RESYNC_RETRY_MS, undefined, { ref: false, signal: stopped }).catch(() => {});
    }
  }
}

/**
 * Schedules the key ring's reloads and the denylist's rebuilds, and fills the denylist's kv copy
 * at start-up (the kv store may have lost its data while no instance ran). Waits for the first
 * attempt only: an unreachable kv store must not stop start-up. No timer keeps the process alive.
 */
export async function startCoreTimers(core: Core): Promise<CoreTimers> {
  const stopped = new AbortController();
  const { denylist, keys } = core;
  core.stores.kv.onReady(() => void resyncUntilDone(denylist, stopped.signal));
  const reload = setInterval(() => void keys.reload().catch(() => {}), KEY_RING_RELOAD_MS).unref();
  const resync = setInterval(() => void denylist.resync().catch(() => {}), PERIODIC_RESYNC_MS).unref();
  const firstAttempt = resyncUntilDone(denylist, stopped.signal);
  await Promise.race([firstAttempt, delay(RESYNC_RETRY_MS / 2, undefined, { ref: false })]);
  return {
    stop() {
      clearInterval(reload);
      clearInterval(resync);
      stopped.abort();
    },
  };
}

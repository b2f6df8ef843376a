import { type Core, type FeedSubscriber, type RevocationFeed, readRevocationsSince } from '../core/index.js';

// Pokes can be lost (Redis away and back, a publish that failed): the database is read this often
// anyway, which bounds how late such a revocation reaches a subscriber.
const SAFETY_READ_MS = 2_000;
// How often a signal that must be polled (the embedded file's data version) is asked.
const CHECK_MS = 20;

/** The running feed of one server: its subscribers and its timers. */
export interface RevocationHub extends RevocationFeed {
  /** Stops the timers and forgets the subscribers (the HTTP app ends their streams). */
  stop(): void;
}

/**
 * Starts this instance's revocation feed at the latest position. On every poke (and every
 * SAFETY_READ_MS) it reads what the database recorded after its cursor and hands it to every
 * subscriber, so subscribers see positions in the database's order whoever recorded them. Reads
 * never overlap: a poke during one asks for another after it.
 */
export async function startRevocationHub(core: Core, onError: (error: unknown) => void): Promise<RevocationHub> {
  const subscribers = new Set<FeedSubscriber>();
  const signal = core.stores.revocationSignal;
  let cursor = await core.stores.revocations.lastSeq();
  let reading = false;
  let again = false;
  let failing = false;
  let stopped = false;

  async function read(): Promise<void> {
    const page = await readRevocationsSince(core, cursor);
    if (!page || page.cursor <= cursor) return;
    cursor = page.cursor;
    if (page.revocations.length === 0) return;
    for (const subscriber of subscribers) subscriber.deliver(page.revocations);
  }

  function poke(): void {
    if (stopped) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    again = false;
    read()
      .then(
        () => void (failing = false),
        (error: unknown) => {
          // One report per outage: the safety read would repeat it every SAFETY_READ_MS.
          if (!failing) onError(error);
          failing = true;
        },
      )
      .finally(() => {
        reading = false;
        if (again) poke();
      });
  }

  signal.onPoke(poke);
  const timers = [
    setInterval(poke, SAFETY_READ_MS),
    setInterval(() => {
      const now = core.clock();
      for (const subscriber of subscribers) subscriber.heartbeat(now);
    }, core.config.revocationFeedHeartbeatSeconds * 1000),
  ];
  if (signal.check) timers.push(setInterval(() => signal.check?.(), CHECK_MS));
  for (const timer of timers) timer.unref();

  return {
    subscribe(subscriber) {
      subscribers.add(subscriber);
      return () => void subscribers.delete(subscriber);
    },
    stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      subscribers.clear();
    },
  };
}

import { performance } from 'node:perf_hooks';
import { type FeedEntry, feedEntry } from './revoked-set.js';
import { readEvents } from './sse.js';

export interface FeedSettings {
  /** Resolves to the feed's URL once the endpoints are discovered. */
  url: () => Promise<string>;
  /** The `Authorization` header (the client's HTTP Basic credentials). */
  authorization: string;
  fetch: typeof fetch;
  /** Silence longer than this (ms) means the connection is dead: it is dropped and opened again. */
  maxSilenceMs: number;
  /** Reconnection backoff: the first delay and the cap, in ms; each delay is jittered. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** New entries, in order; `snapshot` when they are everything the server has unexpired. */
  onEntries: (entries: FeedEntry[], snapshot: boolean) => void;
  /** The current connection delivered its opening: the feed is live. */
  onLive: () => void;
  onError: (error: Error) => void;
}

/**
 * A subscription to `GET /oauth/revocations` (Server-Sent Events over fetch): it reconnects by
 * itself, with exponential backoff and jitter, and resumes from the last event id, so a drop
 * loses nothing. `opened` says whether a connection ever delivered its opening (a snapshot, or a
 * catch-up and its heartbeat), `heardAt` when the server last sent an event.
 */
export class FeedSubscription {
  /** The last event id seen: sent as Last-Event-ID on reconnect. */
  lastEventId: string | undefined;
  /** performance.now() of the last event (heartbeats included). */
  heardAt = Number.NEGATIVE_INFINITY;
  /** Whether a connection has delivered its opening: until then nothing is known. */
  opened = false;
  /** performance.now() of the current connection attempt. */
  private attemptAt = Number.NEGATIVE_INFINITY;
  private closed = false;
  private connection: AbortController | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private failures = 0;
  private readonly done: Promise<void>;

  constructor(private readonly settings: FeedSettings) {
    this.done = this.run();
  }

  /** Stops the subscription: the connection is aborted, every timer cleared. */
  async close(): Promise<void> {
    this.closed = true;
    this.connection?.abort();
    this.wakeUp?.();
    clearTimeout(this.watchdog);
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await this.connect();
        if (!this.closed) throw new Error('the revocation feed ended');
      } catch (error) {
        if (this.closed) break;
        this.settings.onError(error instanceof Error ? error : new Error(String(error)));
      } finally {
        clearTimeout(this.watchdog);
      }
      if (this.closed) break;
      await this.pause(this.backoff(this.failures++));
    }
  }

  private async connect(): Promise<void> {
    const connection = new AbortController();
    this.connection = connection;
    this.attemptAt = performance.now();
    this.armWatchdog();
    const url = await this.settings.url();
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      authorization: this.settings.authorization,
    };
    if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId;
    const response = await this.settings.fetch(url, { headers, signal: connection.signal });
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      throw new Error(`the revocation feed answered ${response.status}`);
    }
    if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
      await response.body.cancel();
      throw new Error('the revocation feed did not answer with an event stream');
    }
    for await (const event of readEvents(response.body as unknown as AsyncIterable<Uint8Array>, this.lastEventId)) {
      this.heardAt = performance.now();
      this.handle(event.event, event.data);
      // Recorded after the event is applied: a resume must never skip an entry it did not apply.
      this.lastEventId = event.lastEventId;
    }
  }

  private handle(name: string, data: string): void {
    if (name === 'snapshot') {
      const { revocations } = JSON.parse(data) as { revocations: unknown[] };
      this.settings.onEntries(checkedEntries(revocations), true);
      this.markOpened();
    } else if (name === 'revocation') {
      this.settings.onEntries(checkedEntries([JSON.parse(data)]), false);
    } else if (name === 'heartbeat') {
      // After a resume's catch-up, the heartbeat marks the opening's end.
      this.markOpened();
    }
  }

  private markOpened(): void {
    this.opened = true;
    this.failures = 0;
    this.settings.onLive();
  }

  /**
   * Drops a connection (or an attempt) that has been silent longer than maxSilenceMs: a server
   * that stopped answering never closes it.
   */
  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    const since = () => Math.max(this.heardAt, this.attemptAt);
    const due = since() + this.settings.maxSilenceMs - performance.now();
    this.watchdog = setTimeout(() => {
      if (performance.now() - since() >= this.settings.maxSilenceMs) {
        this.connection?.abort(new Error('the revocation feed went silent'));
      } else {
        this.armWatchdog();
      }
    }, Math.max(0, due) + 1);
    this.watchdog.unref();
  }

  // Half the exponential bound plus a random share of the other half (equal jitter): verifiers
  // that lost the same server do not come back in step, and none comes back at once.
  private backoff(failures: number): number {
    const bound = Math.min(this.settings.maxDelayMs, this.settings.initialDelayMs * 2 ** Math.min(failures, 20));
    return bound / 2 + Math.random() * (bound / 2);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wakeUp = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}

/** The entries, or a throw (the connection is then reopened): a malformed entry cannot be skipped safely. */
function checkedEntries(values: unknown[]): FeedEntry[] {
  if (!Array.isArray(values)) throw new Error('the revocation feed sent a malformed snapshot');
  return values.map((value) => {
    const entry = feedEntry(value);
    if (!entry) throw new Error('the revocation feed sent a malformed entry');
    return entry;
  });
}

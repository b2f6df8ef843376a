import { performance } from 'node:perf_hooks';

/** One dispatched Server-Sent Event, with when it arrived (performance.now()). */
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: any;
  at: number;
}

const WAIT_MS = 10_000;

/**
 * A plain SSE reader over fetch (the WHATWG event-stream parsing rules, without reconnecting): a
 * test reads the events in order with `next`, each at most once.
 */
export class EventReader {
  readonly events: SseEvent[] = [];
  retry: number | undefined;
  /** Resolves when the server ends the stream or the connection drops. */
  readonly ended: Promise<void>;
  private taken = 0;
  private wake: (() => void) | undefined;
  private done = false;

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    this.ended = this.pump().finally(() => {
      this.done = true;
      this.wake?.();
    });
  }

  /** Opens the stream; `headers` might carry Authorization and Last-Event-ID. */
  static async open(url: string, headers: Record<string, string> = {}): Promise<EventReader> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    return new EventReader(response, abort);
  }

  /** The next unread event that `matches` (skipping the unread ones before it); fails after WAIT_MS. */
  async next(matches: (event: SseEvent) => boolean = () => true, waitMs = WAIT_MS): Promise<SseEvent> {
    const deadline = performance.now() + waitMs;
    for (;;) {
      while (this.taken < this.events.length) {
        const event = this.events[this.taken++]!;
        if (matches(event)) return event;
      }
      if (this.done) throw new Error('the stream ended before the event came');
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no such event within ${waitMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** The next unread `revocation` event for `type` and `id`. */
  revocation(type: string, id: string, waitMs?: number): Promise<SseEvent> {
    return this.next((e) => e.event === 'revocation' && e.data.type === type && e.data.id === id, waitMs);
  }

  close(): void {
    this.abort.abort();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    let fields: { event: string; data: string[]; id: string | undefined } = { event: '', data: [], id: undefined };
    try {
      for await (const chunk of this.response.body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        const lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop()!;
        for (const line of lines) {
          if (line === '') {
            if (fields.data.length > 0) {
              const data = fields.data.join('\n');
              this.events.push({
                event: fields.event || 'message',
                id: fields.id,
                data: JSON.parse(data),
                at: performance.now(),
              });
              this.wake?.();
            }
            fields = { event: '', data: [], id: fields.id };
            continue;
          }
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const name = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (name === 'event') fields.event = value;
          else if (name === 'data') fields.data.push(value);
          else if (name === 'id') fields.id = value;
          else if (name === 'retry') this.retry = Number(value);
        }
      }
    } catch {
      // Aborted by close(), or the connection dropped: either way the stream is over.
    }
  }
}

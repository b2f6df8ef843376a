import type { ServerResponse } from 'node:http';
import type { FeedEntry, FeedPage, FeedSubscriber } from '../../core/index.js';
import { API_SECURITY_HEADERS } from '../security-headers.js';

/** How long a reconnecting EventSource waits, in milliseconds: the `retry:` hint. */
export const FEED_RETRY_MS = 2_000;
// Revocations held while the opening (snapshot or catch-up) is read and written.
const MAX_QUEUED_ENTRIES = 10_000;
// Bytes a consumer may leave unread (beyond what the kernel holds) before it is sent more. Every
// position stays in the database, so a consumer this far behind is disconnected (it resumes with
// Last-Event-ID) rather than buffered without bound.
const MAX_UNREAD_BYTES = 1 << 20;

// A hijacked reply skips the onSend hooks: the security headers are set here.
const STREAM_HEADERS = {
  ...API_SECURITY_HEADERS,
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  // A buffering proxy (nginx) would hold events back.
  'x-accel-buffering': 'no',
  // The stream ends at shutdown or when dropped, and its socket with it: shutdown never waits for
  // such a socket to go idle.
  connection: 'close',
};

function event(name: 'snapshot' | 'revocation' | 'heartbeat', id: number, data: unknown): string {
  // JSON.stringify escapes line breaks, so the data is one `data:` line.
  return `event: ${name}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** What a stream opens with: a snapshot, or the revocations after the reader's Last-Event-ID. */
export type FeedOpening = FeedPage & { snapshot: boolean };

/**
 * One Server-Sent Events connection of the feed. It subscribes before its opening is read, holding
 * what arrives meanwhile, and afterwards writes each revocation beyond its cursor once, so nothing
 * between the opening and the live events is missed or repeated.
 */
export class FeedStream implements FeedSubscriber {
  /** The position written last; null until the opening is written. */
  private cursor: number | null = null;
  private queued: FeedEntry[] = [];
  private ending = false;

  constructor(private readonly response: ServerResponse) {}

  /** Writes the headers, the retry hint and the opening, then what was delivered meanwhile. */
  open(opening: FeedOpening, now: number): void {
    const { response } = this;
    response.writeHead(200, STREAM_HEADERS);
    let text = `retry: ${FEED_RETRY_MS}\n\n`;
    if (opening.snapshot) {
      text += event('snapshot', opening.cursor, { cursor: opening.cursor, revocations: opening.revocations });
    } else {
      for (const entry of opening.revocations) text += event('revocation', entry.seq, entry);
      text += this.heartbeatEvent(opening.cursor, now);
    }
    response.write(text);
    this.cursor = opening.cursor;
    const queued = this.queued;
    this.queued = [];
    this.deliver(queued);
    if (this.ending) response.end();
  }

  deliver(entries: readonly FeedEntry[]): void {
    if (this.cursor === null) {
      for (const entry of entries) this.queued.push(entry);
      if (this.queued.length > MAX_QUEUED_ENTRIES) this.response.destroy();
      return;
    }
    let text = '';
    for (const entry of entries) {
      if (entry.seq <= this.cursor) continue;
      text += event('revocation', entry.seq, entry);
      this.cursor = entry.seq;
    }
    if (text !== '') this.write(text);
  }

  heartbeat(now: number): void {
    if (this.cursor !== null) this.write(this.heartbeatEvent(this.cursor, now));
  }

  /** Ends the stream (shutdown); one still reading its opening ends right after writing it. */
  end(): void {
    this.ending = true;
    if (this.cursor !== null) this.response.end();
  }

  private heartbeatEvent(cursor: number, now: number): string {
    return event('heartbeat', cursor, { cursor, time: Math.floor(now / 1000) });
  }

  private write(text: string): void {
    const { response } = this;
    if (response.destroyed || response.writableEnded) return;
    // Checked before writing: a burst (a large batch, the opening) may exceed the bound once.
    if (response.writableLength > MAX_UNREAD_BYTES) response.destroy();
    else response.write(text);
  }
}

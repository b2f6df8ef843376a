import type { RecordedRevocation, RevocationStore } from '../../store/revocation-store.js';

// Rows read per query while catching up; a long outage's backlog is read in several pages.
const PAGE = 1_000;

/**
 * This process's copy of the revocation record, used while the kv copy cannot be trusted: loaded
 * from the database once, then extended from the feed positions after its cursor. Entries only
 * ever join (a revocation is never withdrawn) and leave when they expire.
 */
export class RevocationMirror {
  private readonly entries = new Map<string, number>();
  private cursor: number | undefined;
  /** When the read the mirror is current with began (epoch ms); -Infinity before the first. */
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;

  constructor(private readonly record: RevocationStore) {}

  /** Adds what this process just revoked, so it is refused here before any read. */
  add(keys: string[], expiresAt: number): void {
    for (const key of keys) this.entries.set(key, Math.max(expiresAt, this.entries.get(key) ?? 0));
  }

  /** Whether the last completed read began at or after `since`. */
  isFresherThan(since: number): boolean {
    return this.readAt >= since;
  }

  has(keys: string[], now: number): boolean {
    return keys.some((key) => (this.entries.get(key) ?? 0) > now);
  }

  /** Reads what the database recorded since the last read; concurrent callers share one read. */
  refresh(now: number): Promise<void> {
    this.reading ??= this.read(now).finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(now: number): Promise<void> {
    if (this.cursor === undefined) {
      // The counter first: every position up to it is committed, so the listing holds them all.
      const cursor = await this.record.lastSeq();
      this.merge(await this.record.listActive(now));
      this.cursor = cursor;
    } else {
      let page: RecordedRevocation[];
      do {
        page = await this.record.listSince(this.cursor, now, PAGE);
        this.merge(page);
        this.cursor = page.at(-1)?.seq ?? this.cursor;
      } while (page.length === PAGE);
    }
    for (const [key, expiresAt] of this.entries) if (expiresAt <= now) this.entries.delete(key);
    this.readAt = Math.max(this.readAt, now);
  }

  private merge(rows: RecordedRevocation[]): void {
    for (const row of rows) this.add([row.key], row.expiresAt);
  }
}

import { KvUnavailableError, type Kv } from '../../store/kv.js';
import type { RecordedRevocation, RevocationStore } from '../../store/revocation-store.js';
import type { Clock } from '../clock.js';
import { RevocationMirror } from './revocation-mirror.js';

const KEY_PREFIX = 'deny:';

/** The denylist keys: what each kind of entry names. */
export const denyKey = {
  /** One access token. */
  accessToken: (jti: string) => `jti:${jti}`,
  /** Every access token a session issued. */
  session: (sid: string) => `sid:${sid}`,
  /** A personal access token or API key whose cached lookup must not be trusted any more. */
  credential: (id: string) => `cred:${id}`,
  /** Every cached credential lookup of a user (disabled). */
  user: (id: string) => `user:${id}`,
  /** An OAuth client's tokens issued before the revocation (secret rotated, client deleted). */
  client: (id: string) => `client:${id}`,
};

/** While the kv copy is not trusted, the database is read for new revocations this often. */
export const FALLBACK_REFRESH_MS = 1_000;
/**
 * While the kv copy is not trusted, a check never rests on a read of the database older than
 * this: a revocation recorded by another instance is refused here within this time.
 */
export const FALLBACK_MAX_AGE_MS = 2_000;

/**
 * Revoked tokens and stale cache entries. The database is the record of every revocation; the kv
 * store is its fast copy, checked on every request. When the kv store fails, or (re)connects and
 * may have lost its data, checks are answered from an in-process mirror of the record
 * (RevocationMirror) until the copy is rebuilt from the record: losing the kv store costs a
 * database read a second, never a revoked token accepted.
 */
export class Denylist {
  private synced = true;
  private connection = 0;
  private mirror: RevocationMirror | undefined;
  private readonly listeners: ((recorded: RecordedRevocation[]) => void)[] = [];

  constructor(
    private readonly kv: Kv,
    private readonly record: RevocationStore,
    private readonly clock: Clock,
  ) {}

  /** Whether checks rest on the database rather than the kv copy (it failed, or is being rebuilt). */
  get usingFallback(): boolean {
    return !this.synced;
  }

  /**
   * Starts a rebuild of the kv copy (at start-up, or the kv store (re)connected and may have lost
   * its data, or failed): checks use the database until `completeResync` of the returned attempt
   * succeeds.
   */
  beginResync(): number {
    const attempt = ++this.connection;
    this.synced = false;
    this.mirror ??= new RevocationMirror(this.record);
    return attempt;
  }

  /** The latest attempt: a newer (re)connection or failure supersedes earlier ones. */
  get currentResync(): number {
    return this.connection;
  }

  /** Whether `attempt` is still the latest: a newer (re)connection supersedes it. */
  isCurrentResync(attempt: number): boolean {
    return attempt === this.connection;
  }

  /** Rebuilds the copy for `attempt`, trusted again if no newer attempt began; rejects while unreachable. */
  async completeResync(attempt: number): Promise<void> {
    await this.resync();
    if (attempt !== this.connection) return;
    this.synced = true;
    this.mirror = undefined;
  }

  /** Copies every unexpired revocation from the database into the kv store. */
  async resync(): Promise<void> {
    const now = this.clock();
    const active = await this.record.listActive(now);
    await this.kv.setMany(active.map((r) => ({ key: KEY_PREFIX + r.key, value: '1', ttlMs: r.expiresAt - now })));
  }

  /** While checks use the database: reads what it recorded since the last read (the runtime calls this). */
  async refreshFallback(): Promise<void> {
    await this.mirror?.refresh(this.clock());
  }

  /** Calls `listener` with every revocation this instance records, once the database has it. */
  onRecorded(listener: (recorded: RecordedRevocation[]) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Puts `keys` on the list until `expiresAt`: every way of revoking goes through here. Written to
   * the database first, then announced to the revocation feed and copied to the kv store; a kv
   * failure only moves checks to the database, which already has it. `revokedAt` is what an OAuth
   * client's revocation refuses tokens issued before (default now).
   */
  async revoke(keys: string[], expiresAt: number, revokedAt = this.clock()): Promise<void> {
    if (keys.length === 0) return;
    const now = this.clock();
    const recorded = await this.record.add(
      keys.map((key) => ({ key, expiresAt })),
      revokedAt,
    );
    for (const listener of this.listeners) listener(recorded);
    const ttlMs = expiresAt - now;
    if (ttlMs <= 0) return;
    this.mirror?.add(keys, expiresAt);
    try {
      await this.kv.setMany(keys.map((key) => ({ key: KEY_PREFIX + key, value: '1', ttlMs })));
    } catch (error) {
      if (!(error instanceof KvUnavailableError)) throw error;
      this.distrust().add(keys, expiresAt);
    }
  }

  /**
   * Whether any of `keys` is on the list: from the kv copy, or from the mirror of the database
   * while the copy is not trusted. Rejects only when neither can answer.
   */
  async isRevoked(keys: string[]): Promise<boolean> {
    if (this.synced) {
      try {
        return (await this.kv.countExisting(keys.map((key) => KEY_PREFIX + key))) > 0;
      } catch (error) {
        if (!(error instanceof KvUnavailableError)) throw error;
        this.distrust();
      }
    }
    const mirror = this.mirror ?? this.distrust();
    const now = this.clock();
    // A read already under way may have begun too long ago: then one more, begun now.
    while (!mirror.isFresherThan(now - FALLBACK_MAX_AGE_MS)) await mirror.refresh(this.clock());
    return mirror.has(keys, now);
  }

  /** The kv store failed: a write may be missing from it, so it is trusted again only after a rebuild. */
  private distrust(): RevocationMirror {
    if (this.synced) this.beginResync();
    return (this.mirror ??= new RevocationMirror(this.record));
  }
}

import { KvUnavailableError, type Kv } from '../../store/kv.js';
import type { RecordedRevocation, RevocationStore } from '../../store/revocation-store.js';
import type { Clock } from '../clock.js';
import { AuthError } from '../errors.js';

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

/**
 * Revoked tokens and stale cache entries. The database is the record of every revocation; the kv store is its fast
 * copy, checked on every request. When the kv store (re)connects it may have lost its data, so
 * the copy is rebuilt from the record, and until then every check fails closed.
 */
export class Denylist {
  private synced = true;
  private connection = 0;
  private readonly listeners: ((recorded: RecordedRevocation[]) => void)[] = [];

  constructor(
    private readonly kv: Kv,
    private readonly record: RevocationStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Starts a rebuild of the kv copy (at start-up, or the kv store (re)connected and may have lost
   * its data): every check fails closed until `completeResync` of the returned attempt succeeds.
   */
  beginResync(): number {
    const attempt = ++this.connection;
    this.synced = false;
    return attempt;
  }

  /** Whether `attempt` is still the latest: a newer (re)connection supersedes it. */
  isCurrentResync(attempt: number): boolean {
    return attempt === this.connection;
  }

  /** Rebuilds the copy for `attempt`, trusted again if no newer attempt began; rejects while unreachable. */
  async completeResync(attempt: number): Promise<void> {
    await this.resync();
    if (attempt === this.connection) this.synced = true;
  }

  /** Copies every unexpired revocation from the database into the kv store. */
  async resync(): Promise<void> {
    const now = this.clock();
    const active = await this.record.listActive(now);
    await this.kv.setMany(active.map((r) => ({ key: KEY_PREFIX + r.key, value: '1', ttlMs: r.expiresAt - now })));
  }

  /** Calls `listener` with every revocation this instance records, once the database has it. */
  onRecorded(listener: (recorded: RecordedRevocation[]) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Puts `keys` on the list until `expiresAt`: every way of revoking goes through here. Written to
   * the database first, so a kv failure cannot lose it (the kv failure is still reported), then
   * announced to the revocation feed. `revokedAt` (default now) is what the feed publishes: for a
   * client, the instant before which its tokens are refused.
   */
  async revoke(keys: string[], expiresAt: number, revokedAt?: number): Promise<void> {
    if (keys.length === 0) return;
    const now = this.clock();
    const recorded = await this.record.add(
      keys.map((key) => ({ key, expiresAt })),
      revokedAt ?? now,
    );
    for (const listener of this.listeners) listener(recorded);
    const ttlMs = expiresAt - now;
    if (ttlMs <= 0) return;
    await this.kvCall(() => this.kv.setMany(keys.map((key) => ({ key: KEY_PREFIX + key, value: '1', ttlMs }))));
  }

  /** Whether any of `keys` is on the list. Fails closed: 503 while the kv copy is not trustworthy. */
  async isRevoked(keys: string[]): Promise<boolean> {
    if (!this.synced) throw new AuthError('KV_UNAVAILABLE');
    return (await this.kvCall(() => this.kv.countExisting(keys.map((key) => KEY_PREFIX + key)))) > 0;
  }

  private async kvCall<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof KvUnavailableError) throw new AuthError('KV_UNAVAILABLE', { cause: error });
      throw error;
    }
  }
}

/**
 * The shared fast store: Redis in production, the embedded database otherwise. Every instance
 * sees the same entries. Operations reject with KvUnavailableError when the store cannot answer.
 */
export interface Kv {
  /** How many of `keys` exist (and have not expired). */
  countExisting(keys: string[]): Promise<number>;
  setMany(entries: { key: string; value: string; ttlMs: number }[]): Promise<void>;
  ping(): Promise<void>;
  /**
   * What in the store's own settings puts revocations at risk, one sentence each for the
   * operator; empty when nothing does or the store will not say.
   */
  settingsWarnings(): Promise<string[]>;
  /** Called whenever the store (re)connects; it may have come back empty. */
  onReady(listener: () => void): void;
  close(): Promise<void>;
}

export class KvUnavailableError extends Error {
  override name = 'KvUnavailableError';
}

/**
 * Tells the revocation feed of every instance that new feed positions may exist. Only a poke,
 * never the revocations themselves: the feed then reads the database, which alone decides order
 * and gaps, so a poke that is lost, late, doubled or out of order costs at most a read.
 */
export interface RevocationSignal {
  /** Called after this process recorded revocations: pokes this process at once and every other. */
  announce(): void;
  /**
   * Calls `listener` on every poke: announcements of this and other instances, and a reconnect
   * after which announcements may have been missed.
   */
  onPoke(listener: () => void): void;
  /**
   * Present where other processes' writes are not pushed but must be looked for (the embedded
   * file's data version): the feed calls it often, and it pokes when another process committed.
   */
  check?(): void;
  close(): Promise<void>;
}

export interface Revocation {
  /**
   * What is revoked, by the denylist's naming: `jti:<id>` one access token, `sid:<id>` every
   * access token of a session, `cred:<id>` a personal access token or ingest key, `user:<id>` a
   * disabled or deleted user, `client:<id>` an OAuth client's tokens issued before `revokedAt`.
   */
  key: string;
  expiresAt: number;
}

/** A revocation as the database holds it: with its position in the revocation feed. */
export interface RecordedRevocation extends Revocation {
  /** Feed position: strictly increasing in the order revocations were committed. */
  seq: number;
  revokedAt: number;
}

/** The durable record of revocations; the kv denylist is its fast copy and is rebuilt from it. */
export interface RevocationStore {
  /**
   * Records revocations (a key recorded before is renewed), each at the next feed position, in
   * one transaction; positions are committed in order, so a reader never skips a later commit.
   */
  add(revocations: Revocation[], revokedAt: number): Promise<RecordedRevocation[]>;
  /** Every revocation that has not expired at `now`, by position. */
  listActive(now: number): Promise<RecordedRevocation[]>;
  /** Unexpired revocations recorded after position `seq`, by position, at most `limit`. */
  listSince(seq: number, now: number, limit: number): Promise<RecordedRevocation[]>;
  /** The last feed position handed out; 0 before the first revocation. */
  lastSeq(): Promise<number>;
  deleteExpired(now: number): Promise<number>;
}

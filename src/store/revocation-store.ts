export interface Revocation {
  /** `jti:<id>` for one access token, `sid:<id>` for every access token of a session. */
  key: string;
  expiresAt: number;
}

/** The durable record of revocations; the kv denylist is its fast copy and is rebuilt from it. */
export interface RevocationStore {
  add(revocations: Revocation[]): Promise<void>;
  listActive(now: number): Promise<Revocation[]>;
  deleteExpired(now: number): Promise<number>;
}

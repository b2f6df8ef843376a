export interface StoredSigningKey {
  kid: string;
  env: string;
  /** 1 for the first key of an environment; each rotation adds one. The highest signs. */
  generation: number;
  alg: string;
  privateKeyEnc: string;
  publicJwk: string;
  createdAt: number;
}

export interface SigningKeyStore {
  /** Inserts unless the (env, generation) pair exists; returns whether it was inserted. */
  insertIfAbsent(key: StoredSigningKey): Promise<boolean>;
  listForEnv(env: string): Promise<StoredSigningKey[]>;
  /** Deletes every key of every environment; returns how many there were. */
  deleteAll(): Promise<number>;
}

/** A registered passkey (WebAuthn credential) of one user. */
export interface Passkey {
  id: string;
  userId: string;
  /** The WebAuthn credential ID, base64url. */
  credentialId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports: string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export type ChallengePurpose = 'register' | 'login' | 'second-factor' | 'step-up';

export interface StoredChallenge {
  purpose: ChallengePurpose;
  boundTo: string | null;
  challenge: string;
  expiresAt: number;
}

/** Passkeys and the single-use challenges of their ceremonies. */
export interface PasskeyStore {
  /** Inserts the passkey; false when its credential ID is registered already (to anyone). */
  insert(passkey: Passkey): Promise<boolean>;
  listByUser(userId: string): Promise<Passkey[]>;
  findByCredentialId(credentialId: string): Promise<Passkey | null>;
  /** Renames the user's passkey; null when the user has none of that id. */
  rename(userId: string, id: string, name: string): Promise<Passkey | null>;
  /**
   * Deletes the user's passkey, under the user's row lock, unless `keepsSignIn` says (from the
   * user's other passkeys, counted inside the lock) that it is the last way to sign in.
   */
  delete(
    userId: string,
    id: string,
    keepsSignIn: (otherPasskeys: number) => boolean,
  ): Promise<'deleted' | 'not-found' | 'last'>;
  /**
   * Records a use: the new counter, backup state and time, provided the stored counter is still
   * below `counter` (or both are 0, an authenticator without a counter). False means the counter
   * did not move forward: a cloned authenticator, or a replay that lost a race.
   */
  recordUse(id: string, counter: number, backedUp: boolean, at: number): Promise<boolean>;
  /** Stores a challenge under the SHA-256 of its handle, and drops those expired before `now`. */
  saveChallenge(handleHash: string, challenge: StoredChallenge, now: number): Promise<void>;
  /** Removes and returns the challenge: whoever takes it first gets it, on any instance. */
  takeChallenge(handleHash: string): Promise<StoredChallenge | null>;
}

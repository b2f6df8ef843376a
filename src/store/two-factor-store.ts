export interface TotpCredential {
  userId: string;
  secretEnc: string | null;
  pendingSecretEnc: string | null;
  enabledAt: number | null;
  lastStep: number | null;
}

/** TOTP secrets, recovery codes and pending (second-step) logins. */
export interface TwoFactorStore {
  findCredential(userId: string): Promise<TotpCredential | null>;
  /** Stores a new unconfirmed secret, replacing any earlier unconfirmed one. */
  setPendingSecret(userId: string, secretEnc: string): Promise<void>;
  /**
   * Confirms the pending secret (unless 2FA got enabled meanwhile) and replaces the recovery codes,
   * in one transaction; returns false when there was no pending secret to confirm.
   */
  enable(userId: string, step: number, at: number, recoveryCodeHashes: string[]): Promise<boolean>;
  /** Removes the secret and the recovery codes. */
  disable(userId: string): Promise<void>;
  /** Records `step` as used, unless it (or a later one) was used already: the replay check. */
  claimStep(userId: string, step: number): Promise<boolean>;
  replaceRecoveryCodes(userId: string, codeHashes: string[], at: number): Promise<void>;
  /** Spends a recovery code; false when it is unknown, someone else's, or already used. */
  useRecoveryCode(userId: string, codeHash: string, at: number): Promise<boolean>;
  countUnusedRecoveryCodes(userId: string): Promise<number>;
  /** Opens a pending login, provided the password hash is still `passwordHash` (see SessionStore.createSession). */
  createPendingLogin(jtiHash: string, userId: string, expiresAt: number, passwordHash: string): Promise<boolean>;
  /** Marks a pending login used; false when it already was (so it works once). */
  spendPendingLogin(jtiHash: string, at: number): Promise<boolean>;
  isPendingLoginOpen(jtiHash: string): Promise<boolean>;
}

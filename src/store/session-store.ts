export interface Session {
  id: string;
  userId: string;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  revokedAt: number | null;
  ip: string | null;
  userAgent: string | null;
  /** Whether refresh spends the presented token and issues a successor (RFC 9700 rotation). */
  rotating: boolean;
}

export interface RefreshToken {
  /** SHA-256 (hex) of the token's jti: the token itself is never stored. */
  idHash: string;
  sessionId: string;
  userId: string;
  parentHash: string | null;
  issuedAt: number;
  expiresAt: number;
  usedAt: number | null;
  /** Encrypted successor token, set when this one was spent. */
  successorEnc: string | null;
  /** Who spent it: a hash of the client (see clientFingerprint), so only that client gets the successor again. */
  spentBy: string | null;
}

export interface SessionStore {
  /**
   * Creates the session and its first refresh token in one transaction, provided the user's
   * password hash is still `passwordHash` (the one just verified) and the account is not disabled;
   * returns false otherwise.
   */
  createSession(session: Session, firstToken: RefreshToken, passwordHash: string): Promise<boolean>;
  findSession(id: string): Promise<Session | null>;
  /** The user's sessions that are neither revoked nor expired, most recently used first. */
  listLiveSessions(userId: string, now: number): Promise<Session[]>;
  findRefreshToken(idHash: string): Promise<RefreshToken | null>;
  /**
   * Spends `idHash` for the client `spentBy` and records its successor, atomically: returns false
   * (and writes nothing) when the token was already spent, so two racing requests can never both
   * mint a successor.
   */
  spendRefreshToken(
    idHash: string,
    usedAt: number,
    spentBy: string,
    successor: RefreshToken,
    successorEnc: string,
  ): Promise<boolean>;
  /** Records that the session was just used (a refresh that did not rotate). */
  touchSession(id: string, at: number): Promise<void>;
  /** Marks the session revoked; returns false when it already was (or does not exist). */
  revokeSession(id: string, at: number): Promise<boolean>;
  /** Revokes every live session of the user; returns their ids. */
  revokeUserSessions(userId: string, at: number): Promise<string[]>;
  /** Revokes every live session of every user (after a restore); returns their ids. */
  revokeAllSessions(at: number): Promise<string[]>;
}

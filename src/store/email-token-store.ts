/** What an e-mailed link proves: a password reset, an address's verification, or an address change. */
export type EmailTokenKind = 'password-reset' | 'email-verification' | 'email-change';

/** A link's token as stored: its SHA-256, never the token. */
export interface EmailToken {
  tokenHash: string;
  kind: EmailTokenKind;
  userId: string;
  /** The address the link was mailed to (for a change: the new address). */
  email: string;
  /** A digest of the account's password hash and e-mail when the link was made (core/email). */
  binding: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface EmailTokenStore {
  /** Stores a token; the user's spent and expired tokens are deleted on the way. */
  create(token: EmailToken): Promise<void>;
  /** The token of `kind` under `tokenHash` if it is unused and unexpired at `now`. */
  findLive(tokenHash: string, kind: EmailTokenKind, now: number): Promise<EmailToken | null>;
  /** Marks it used if it is still unused and unexpired (a compare-and-set); true for the one caller that did. */
  spend(tokenHash: string, now: number): Promise<boolean>;
}

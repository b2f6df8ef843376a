import type { Credential } from './credential-store.js';

/** The roles a user row may hold; core ranks them (core/users/user.ts). */
export type Role = 'USER' | 'ADMIN';

export interface User {
  id: string;
  email: string;
  role: Role;
  plan: string;
  passwordHash: string;
  createdAt: number;
  disabledAt: number | null;
  /** When the e-mail address was proven; null while unverified. */
  emailVerifiedAt: number | null;
}

/** How an address change ended: done, the new address belongs to another account, or the account changed meanwhile. */
export type EmailChangeOutcome = 'changed' | 'taken' | 'stale';

export interface UserStore {
  /** Inserts the user under `normalizedEmail` (core's normalizeEmail); returns null when it is taken. */
  create(user: User, normalizedEmail: string): Promise<User | null>;
  /** The user stored under `normalizedEmail`. */
  findByEmail(normalizedEmail: string): Promise<User | null>;
  findById(id: string): Promise<User | null>;
  /**
   * Replaces the password hash if it is still `currentHash` (a compare-and-set), and in the same
   * transaction ends the user's open pending logins and sessions: all of them, or only
   * `onlySession` when given. Returns the ids of the sessions ended, or null when the hash had
   * changed (another change won) or the user is gone.
   */
  replacePassword(
    id: string,
    currentHash: string,
    newHash: string,
    at: number,
    onlySession?: string,
  ): Promise<string[] | null>;
  /**
   * Replaces the hash of the same password by a new one (a rehash), if it is still `currentHash`;
   * sessions are left alone. Returns false when the hash had changed.
   */
  upgradePasswordHash(id: string, currentHash: string, newHash: string, at: number): Promise<boolean>;
  /** Sets or clears disabled_at; returns false when no such user. */
  setDisabled(id: string, disabledAt: number | null, now: number): Promise<boolean>;
  /** Every user, oldest first. */
  list(): Promise<User[]>;
  /**
   * Sets the role and, in the same transaction under the user's row lock, revokes the user's live
   * personal access tokens that carry one of `revokeTokenRoles`; a token being stored meanwhile
   * waits for the lock and takes the new role. Returns the user as it was before and the revoked
   * tokens, or null when no such user.
   */
  setRole(
    id: string,
    role: Role,
    now: number,
    revokeTokenRoles: readonly Role[],
  ): Promise<{ before: User; revokedTokens: Credential[] } | null>;
  /** Marks the address verified if the account's address is still `normalizedEmail`; false otherwise. */
  markEmailVerified(id: string, normalizedEmail: string, at: number): Promise<boolean>;
  /**
   * Replaces the address (verified at `at`) if it is still `currentNormalizedEmail` and the
   * password hash still `currentHash`: an address or password change since makes it `stale`.
   */
  changeEmail(
    id: string,
    expected: { normalizedEmail: string; passwordHash: string },
    newEmail: string,
    newNormalizedEmail: string,
    at: number,
  ): Promise<EmailChangeOutcome>;
  /** Sets the plan; returns false when no such user. */
  setPlan(id: string, plan: string, now: number): Promise<boolean>;
  /** Deletes the user and, by cascade, everything the user owns in the database; false when no such user. */
  delete(id: string): Promise<boolean>;
}

/** Hashes and verifies passwords (argon2id); the server supplies one that runs off the event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies against `passwordHash`, or against a dummy hash when there is no user, so both take as long. */
  verify(passwordHash: string | undefined, password: string): Promise<boolean>;
  close(): Promise<void>;
}

import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import pLimit from 'p-limit';

// OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1.
// Algorithm.Argon2id is 2; the enum is `const`, so it cannot be imported as a value.
const ARGON2ID = { algorithm: 2 as Algorithm, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies against `passwordHash`, or against a dummy hash when there is no user, so both take as long. */
  verify(passwordHash: string | undefined, password: string): Promise<boolean>;
}

/**
 * Hashing runs on libuv's thread pool (never the event loop), at most `concurrency` at a time, so
 * a burst of logins queues instead of starving request handling of CPU.
 */
export async function createPasswordHasher(concurrency: number): Promise<PasswordHasher> {
  const limit = pLimit(concurrency);
  const dummyHash = await hash(randomBytes(16).toString('hex'), ARGON2ID);
  return {
    hash: (password) => limit(() => hash(password, ARGON2ID)),
    verify: (passwordHash, password) =>
      limit(async () => {
        const ok = await verify(passwordHash ?? dummyHash, password).catch(() => false);
        return ok && passwordHash !== undefined;
      }),
  };
}

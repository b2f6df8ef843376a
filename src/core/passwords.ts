import { randomBytes } from 'node:crypto';
import type { Algorithm } from '@node-rs/argon2';
import { Piscina } from 'piscina';

// OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1.
// Algorithm.Argon2id is 2; the enum is `const`, so it cannot be imported as a value.
const ARGON2ID = { algorithm: 2 as Algorithm, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

// Hashing threads run at the lowest priority (nice 19): when the CPU is short, requests that need
// no hash go first and logins wait. On Linux the pool sets it per thread, through @napi-rs/nice.
const HASHING_NICE_INCREMENT = 19;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies against `passwordHash`, or against a dummy hash when there is no user, so both take as long. */
  verify(passwordHash: string | undefined, password: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Hashing runs on `concurrency` worker threads of its own (never the event loop), so a burst of
 * logins queues instead of starving request handling of CPU.
 */
export async function createPasswordHasher(concurrency: number): Promise<PasswordHasher> {
  const pool = new Piscina({
    filename: new URL('./password-worker.js', import.meta.url).href,
    minThreads: concurrency,
    maxThreads: concurrency,
    niceIncrement: HASHING_NICE_INCREMENT,
  });
  const hash = (password: string): Promise<string> => pool.run({ password, options: ARGON2ID }, { name: 'hash' });
  try {
    const dummyHash = await hash(randomBytes(16).toString('hex'));
    return {
      hash,
      verify: async (passwordHash, password) => {
        const ok: boolean = await pool.run({ passwordHash: passwordHash ?? dummyHash, password }, { name: 'verify' });
        return ok && passwordHash !== undefined;
      },
      close: () => pool.close(),
    };
  } catch (error) {
    await pool.destroy();
    throw error;
  }
}

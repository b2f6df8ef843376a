import { randomBytes } from 'node:crypto';
import { Piscina } from 'piscina';

// Hashing threads run at a low priority: when the CPU is short, requests that need no hash go
// first, and logins still get about a tenth of a contended core (nice 10 weighs 110 against 1024;
// nice 19, 15, let a busy host stall one hash for a second). On Linux the pool sets it per thread;
// elsewhere nice(2) would lower the whole process, event loop included, so it is left alone.
const HASHING_NICE_INCREMENT = process.platform === 'linux' ? 10 : 0;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies against `passwordHash`, or against a dummy hash when there is no user, so both take as long. */
  verify(passwordHash: string | undefined, password: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Hashing (argon2id, parameters in password-worker.js) runs on `concurrency` worker threads of its
 * own, never on the event loop, so a burst of logins queues instead of starving request handling.
 */
export async function createPasswordHasher(concurrency: number): Promise<PasswordHasher> {
  const pool = new Piscina({
    filename: new URL('./password-worker.js', import.meta.url).href,
    minThreads: concurrency,
    maxThreads: concurrency,
    niceIncrement: HASHING_NICE_INCREMENT,
  });
  // Without a listener, a worker that fails outside any task (at start, or while idle) would end
  // the process. The pool starts another, and a task on a failed worker rejects on its own.
  pool.on('error', () => {});
  const hash = (password: string): Promise<string> => pool.run({ password }, { name: 'hash' });
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

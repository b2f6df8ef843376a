// @ts-check
// argon2id in one of the hasher's worker threads (passwords.ts). Plain JavaScript: a worker thread
// loads its file with Node's own loader, which runs no TypeScript, in the tests as in dist.
import { hashSync, verifySync } from '@node-rs/argon2';

/**
 * Synchronous on purpose: the work then runs on this thread, whose priority the pool lowered, not
 * on libuv's shared pool.
 * @param {{ password: string, options: import('@node-rs/argon2').Options }} task
 */
export function hash({ password, options }) {
  return hashSync(password, options);
}

/**
 * False for a stored hash that does not parse, as for a wrong password.
 * @param {{ passwordHash: string, password: string }} task
 */
export function verify({ passwordHash, password }) {
  try {
    return verifySync(passwordHash, password);
  } catch {
    return false;
  }
}

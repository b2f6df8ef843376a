// @ts-check
// argon2id in one of the hasher's worker threads (passwords.ts). Plain JavaScript: a worker thread
// loads its file with Node's own loader, which runs no TypeScript, in the tests as in dist.
import { hashSync, verifySync } from '@node-rs/argon2';

// OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1. A verify reads the parameters
// from the stored hash. Algorithm.Argon2id is 2; the enum is `const`, so it has no runtime value.
/** @type {import('@node-rs/argon2').Options} */
const ARGON2ID = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * Synchronous on purpose: the work then runs on this thread, whose priority the pool lowered, not
 * on libuv's shared pool.
 * @param {{ password: string }} task
 */
export function hash({ password }) {
  return hashSync(password, ARGON2ID);
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

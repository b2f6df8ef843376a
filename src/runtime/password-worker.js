// @ts-check
// argon2id in one of the hasher's worker threads (passwords.ts). Plain JavaScript: a worker thread
// loads its file with Node's own loader, which runs no TypeScript, in the tests as in dist.
import { hashSync, verifySync } from '@node-rs/argon2';
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { workerData } from 'node:worker_threads';

// OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1. A verify reads the parameters
// from the stored hash. Algorithm.Argon2id is 2; the enum is `const`, so it has no runtime value.
/** @type {import('@node-rs/argon2').Options} */
const ARGON2ID = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };
// By its full path: the search path is the environment's to change.
const CHRT = '/usr/bin/chrt';

/**
 * Moves this thread to SCHED_IDLE: it runs only on CPU time no other thread wants, and a core that
 * runs nothing else counts as free when the kernel places a waking thread (nice 19 does neither,
 * so the event loop and its clients end up sharing a core while a hash runs). Node has no binding
 * for sched_setscheduler(2); chrt (util-linux, on every glibc distribution) makes the call, once
 * per thread. Any thread may lower its own policy, so no privilege is needed.
 */
function takeIdlePriority() {
  if (process.platform !== 'linux') return;
  try {
    const tid = readlinkSync('/proc/thread-self').split('/').at(-1) ?? '';
    if (!/^\d+$/.test(tid)) return;
    execFileSync(CHRT, ['--idle', '--pid', '0', tid], { stdio: 'ignore', timeout: 5_000 });
  } catch {
    // No chrt (a distroless image): the thread keeps the nice level the pool gave it.
  }
}

if (workerData?.idle === true) takeIdlePriority();

/**
 * Synchronous on purpose: the work then runs on this thread, whose priority was lowered, not on
 * libuv's shared pool.
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

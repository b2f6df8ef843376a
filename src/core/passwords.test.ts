import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createPasswordHasher, type PasswordHasher } from './passwords.js';

interface ThreadStat {
  tid: string;
  nice: number;
  cpuTicks: number;
}

// /proc/self/task/<tid>/stat, after the command name: field 14 is utime, 15 stime, 19 nice.
function threadsOfThisProcess(): ThreadStat[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid, nice: Number(fields[16]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  });
}

describe('password hasher', () => {
  let hasher: PasswordHasher | undefined;
  afterEach(async () => {
    await hasher?.close();
    hasher = undefined;
  });

  it('hashes with argon2id at the OWASP parameters and verifies only the right password', async () => {
    hasher = await createPasswordHasher(1);
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(stored, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(stored, 'correct horse battery stapler')).toBe(false);
  });

  it('answers false for an unknown user and for a stored hash that does not parse', async () => {
    hasher = await createPasswordHasher(1);
    expect(await hasher.verify(undefined, 'anything at all')).toBe(false);
    expect(await hasher.verify('not-a-phc-string', 'anything at all')).toBe(false);
  });

  it.runIf(process.platform === 'linux')('hashes on threads of its own, 10 nice steps below the process', async () => {
    const existing = new Set(threadsOfThisProcess().map((thread) => thread.tid));
    const lowered = Math.min(19, getPriority() + 10);
    hasher = await createPasswordHasher(1);
    const hashingThread = () => threadsOfThisProcess().filter((thread) => !existing.has(thread.tid) && thread.nice === lowered);
    expect(hashingThread()).toHaveLength(1);
    const ticksBefore = hashingThread()[0]!.cpuTicks;
    for (let i = 0; i < 5; i++) await hasher.hash(`password number ${i}`);
    expect(hashingThread()[0]!.cpuTicks).toBeGreaterThan(ticksBefore);
  });

  // libuv's pool (4 threads unless UV_THREADPOOL_SIZE says otherwise) also runs WebCrypto, which
  // signs every token, and file and DNS work: hashes must not fill it. Had the six hashes gone
  // there, the digest would queue behind them and come fourth at best.
  it("leaves libuv's thread pool free while more hashes run than it has threads", async () => {
    hasher = await createPasswordHasher(6);
    const order: string[] = [];
    const hashes = Array.from({ length: 6 }, (_, i) => hasher!.hash(`password number ${i}`).then(() => order.push('hash')));
    // Submitted after the hashes, and well before any can finish (each takes milliseconds).
    await new Promise(setImmediate);
    const digest = crypto.subtle.digest('SHA-256', new Uint8Array(32)).then(() => order.push('digest'));
    await Promise.all([...hashes, digest]);
    expect(order.indexOf('digest')).toBeLessThan(2);
  });
});

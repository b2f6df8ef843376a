import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, getPriority } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPasswordHasher, withReserve, type HashRunner, type PasswordHasher } from './passwords.js';

const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

interface ThreadStat {
  tid: string;
  nice: number;
  policy: number;
  cpuTicks: number;
}

// /proc/self/task/<tid>/stat, after the command name: field 14 is utime, 15 stime, 19 nice, 41 policy.
function threadsOfThisProcess(): ThreadStat[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid, nice: Number(fields[16]), policy: Number(fields[38]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  });
}

/** A runner whose tasks settle when the test says so. */
function controlledRunner() {
  const calls: { task: object; resolve: (value: unknown) => void; reject: (error: unknown) => void }[] = [];
  const runner: HashRunner = {
    run: <R>(task: object) => new Promise<R>((resolve, reject) => calls.push({ task, resolve: resolve as (value: unknown) => void, reject })),
  };
  return { runner, calls };
}

const STARVED_AFTER_MS = 250;

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

  it.runIf(process.platform === 'linux')('hashes on threads of its own at SCHED_IDLE', async () => {
    const existing = new Set(threadsOfThisProcess().map((thread) => thread.tid));
    hasher = await createPasswordHasher(1);
    const hashingThread = () => threadsOfThisProcess().filter((thread) => !existing.has(thread.tid) && thread.policy === SCHED_IDLE);
    expect(hashingThread()).toHaveLength(1);
    const ticksBefore = hashingThread()[0]!.cpuTicks;
    for (let i = 0; i < 5; i++) await hasher.hash(`password number ${i}`);
    expect(hashingThread()[0]!.cpuTicks).toBeGreaterThan(ticksBefore);
  });

  // At SCHED_IDLE alone, a hash on a host whose every core is busy took 2 to 20 s here.
  it.runIf(process.platform === 'linux')('keeps hashing when other work takes every core, on a reserve thread at nice 10', async () => {
    hasher = await createPasswordHasher(1);
    const existing = new Set(threadsOfThisProcess().map((thread) => thread.tid));
    const hogs: ChildProcess[] = Array.from({ length: availableParallelism() }, () => fork('-e', ['for (;;);'], { execArgv: [] }));
    try {
      // Each hog is running once it has spent a tick of CPU.
      await vi.waitFor(() => expect(hogs.every((hog) => hog.pid && readFileSync(`/proc/${hog.pid}/stat`, 'utf8').split(' ')[13] !== '0')).toBe(true));
      const started = Date.now();
      await hasher.hash('a password while the host is busy');
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      for (const hog of hogs) hog.kill('SIGKILL');
    }
    const lowered = Math.min(19, getPriority() + 10);
    const reserve = threadsOfThisProcess().filter((thread) => !existing.has(thread.tid) && thread.policy === SCHED_OTHER && thread.nice === lowered);
    expect(reserve).toHaveLength(1);
    expect(reserve[0]!.cpuTicks).toBeGreaterThan(0);
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

describe('withReserve', () => {
  /** A pool of `threads` and a reserve whose tasks settle when the test says so, on fake timers. */
  function fakePools(threads: number) {
    vi.useFakeTimers();
    const primary = controlledRunner();
    const reserve = controlledRunner();
    return { primary, reserve, runner: withReserve(primary.runner, threads, () => reserve.runner, STARVED_AFTER_MS) };
  }

  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a long queue on a pool that keeps finishing tasks, and never uses the reserve', async () => {
    const { primary, reserve, runner } = fakePools(2);
    const answers = Array.from({ length: 8 }, (_, i) => runner.run<string>({ i }, 'hash'));
    for (let i = 0; i < 8; i++) {
      // Never more than the pool's two threads' worth on the pool at once.
      expect(primary.calls.length).toBe(Math.min(8, i + 2));
      await vi.advanceTimersByTimeAsync(STARVED_AFTER_MS - 1);
      primary.calls[i]!.resolve(`primary ${i}`);
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(await Promise.all(answers)).toEqual(Array.from({ length: 8 }, (_, i) => `primary ${i}`));
    expect(reserve.calls).toHaveLength(0);
  });

  it('moves every waiting task to the reserve once the pool finishes nothing for the limit, and new ones too until it does', async () => {
    const { primary, reserve, runner } = fakePools(1);
    const onThread = runner.run<string>({ n: 1 }, 'hash');
    const queued = runner.run<string>({ n: 2 }, 'hash');
    await vi.advanceTimersByTimeAsync(STARVED_AFTER_MS - 1);
    expect(reserve.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(reserve.calls.map((call) => call.task)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(primary.calls).toHaveLength(1);

    // Starved still: a new task goes straight to the reserve.
    const later = runner.run<string>({ n: 3 }, 'hash');
    expect(reserve.calls.map((call) => call.task)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    reserve.calls.forEach((call, i) => call.resolve(`reserve ${i + 1}`));
    expect(await Promise.all([onThread, queued, later])).toEqual(['reserve 1', 'reserve 2', 'reserve 3']);

    // The abandoned copy finishes on spare time; its answer is not used, and the pool is trusted again.
    primary.calls[0]!.resolve('primary, too late');
    await vi.advanceTimersByTimeAsync(0);
    const afterRecovery = runner.run<string>({ n: 4 }, 'hash');
    expect(primary.calls.map((call) => call.task)).toEqual([{ n: 1 }, { n: 4 }]);
    primary.calls[1]!.resolve('primary 4');
    expect(await afterRecovery).toBe('primary 4');
    expect(reserve.calls).toHaveLength(3);
  });

  it('takes whichever copy answers first, and passes on a failure', async () => {
    const { primary, reserve, runner } = fakePools(1);
    const rescued = runner.run<string>({ n: 1 }, 'verify');
    await vi.advanceTimersByTimeAsync(STARVED_AFTER_MS);
    expect(reserve.calls).toHaveLength(1);
    primary.calls[0]!.resolve('primary first');
    expect(await rescued).toBe('primary first');
    reserve.calls[0]!.resolve('reserve, too late');

    const failing = runner.run<string>({ n: 2 }, 'verify');
    primary.calls[1]!.reject(new Error('worker failed'));
    await expect(failing).rejects.toThrow('worker failed');
  });
});

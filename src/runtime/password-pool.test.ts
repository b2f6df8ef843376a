import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, getPriority } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PasswordHasher } from '../core/passwords/password-hasher.js';
import { createPasswordHasher, withReserve, type HashRunner } from './password-pool.js';

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
    return {
      tid,
      nice: Number(fields[16]),
      policy: Number(fields[38]),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
    };
  });
}

/** A runner whose tasks settle when the test says so. */
function controlledRunner() {
  const calls: { task: object; resolve: (value: unknown) => void; reject: (error: unknown) => void }[] = [];
  const runner: HashRunner = {
    run: <R>(task: object) =>
      new Promise<R>((resolve, reject) => calls.push({ task, resolve: resolve as (value: unknown) => void, reject })),
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
    const hashingThread = () =>
      threadsOfThisProcess().filter((thread) => !existing.has(thread.tid) && thread.policy === SCHED_IDLE);
    expect(hashingThread()).toHaveLength(1);
    const ticksBefore = hashingThread()[0]!.cpuTicks;
    for (let i = 0; i < 5; i++) await hasher.hash(`password number ${i}`);
    expect(hashingThread()[0]!.cpuTicks).toBeGreaterThan(ticksBefore);
  });

  // At SCHED_IDLE alone, a hash on a machine whose every core is busy can wait for seconds.
  it.runIf(process.platform === 'linux')(
    'keeps hashing when other work takes every core, on a reserve thread at nice 10',
    async () => {
      const existing = new Set(threadsOfThisProcess().map((thread) => thread.tid));
      hasher = await createPasswordHasher(1);
      // Each hog says when its loop starts, and stops on its own after 30 s should this process die first.
      const hog = "process.send('busy'); const end = Date.now() + 30000; while (Date.now() < end);";
      const hogs: ChildProcess[] = Array.from({ length: availableParallelism() }, () =>
        fork('-e', [hog], { execArgv: [] }),
      );
      try {
        await Promise.all(hogs.map((h) => new Promise((resolve) => h.once('message', resolve))));
        const started = Date.now();
        await hasher.hash('a password while the host is busy');
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        for (const h of hogs) h.kill('SIGKILL');
      }
      const lowered = Math.min(19, getPriority() + 10);
      const reserve = threadsOfThisProcess().filter(
        (thread) => !existing.has(thread.tid) && thread.policy === SCHED_OTHER && thread.nice === lowered,
      );
      expect(reserve).toHaveLength(1);
      expect(reserve[0]!.cpuTicks).toBeGreaterThan(0);
    },
  );

  it('refuses work once closed', async () => {
    const closing = await createPasswordHasher(1);
    await closing.close();
    await expect(closing.hash('too late')).rejects.toThrow('password hasher is closed');
  });

  // libuv's pool (4 threads unless UV_THREADPOOL_SIZE says otherwise) also runs WebCrypto, which
  // signs every token, and file and DNS work: hashes must not fill it. Had the six hashes gone
  // there, the digest would queue behind them and come fourth at best.
  it("leaves libuv's thread pool free while more hashes run than it has threads", async () => {
    hasher = await createPasswordHasher(6);
    // Threads still starting read their modules through libuv's pool; the race is for later.
    await Promise.all(Array.from({ length: 6 }, () => hasher!.hash('warm-up')));
    const order: string[] = [];
    const hashes = Array.from({ length: 6 }, (_, i) =>
      hasher!.hash(`password number ${i}`).then(() => order.push('hash')),
    );
    // Submitted right after the hashes, in the same turn, so none can have finished yet. Hashes on
    // libuv's pool (4 threads) would queue ahead of it at once.
    const digest = crypto.subtle.digest('SHA-256', new Uint8Array(32)).then(() => order.push('digest'));
    await Promise.all([...hashes, digest]);
    expect(order.indexOf('digest')).toBeLessThan(2);
  });
});

describe('withReserve', () => {
  /** A pool of `threads` and a reserve whose tasks settle when the test says so, on fake timers. */
  function fakePools(threads: number, reserveRunner?: () => HashRunner) {
    vi.useFakeTimers();
    const primary = controlledRunner();
    const reserve = controlledRunner();
    const queue = withReserve(primary.runner, threads, reserveRunner ?? (() => reserve.runner), STARVED_AFTER_MS, () =>
      Date.now(),
    );
    return { primary, reserve, queue };
  }

  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a long queue on a pool that keeps finishing tasks, and never uses the reserve', async () => {
    const { primary, reserve, queue } = fakePools(2);
    const answers = Array.from({ length: 8 }, (_, i) => queue.run<string>({ i }, 'hash'));
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

  it("hands a starved pool's tasks to the reserve one at a time, oldest first, until the pool finishes one", async () => {
    const { primary, reserve, queue } = fakePools(1);
    const stuck = queue.run<string>({ n: 1 }, 'hash');
    const queued = queue.run<string>({ n: 2 }, 'hash');
    await vi.advanceTimersByTimeAsync(STARVED_AFTER_MS - 1);
    expect(reserve.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(reserve.calls.map((call) => call.task)).toEqual([{ n: 1 }]);

    const arrivesWhileStarved = queue.run<string>({ n: 3 }, 'hash');
    reserve.calls[0]!.resolve('reserve 1');
    expect(await stuck).toBe('reserve 1');
    expect(reserve.calls.map((call) => call.task)).toEqual([{ n: 1 }, { n: 2 }]);

    // The pool finishes its abandoned copy (its answer is not used) and takes the queue back.
    primary.calls[0]!.resolve('primary 1, too late');
    await vi.advanceTimersByTimeAsync(0);
    expect(primary.calls.map((call) => call.task)).toEqual([{ n: 1 }, { n: 3 }]);
    reserve.calls[1]!.resolve('reserve 2');
    primary.calls[1]!.resolve('primary 3');
    expect(await Promise.all([queued, arrivesWhileStarved])).toEqual(['reserve 2', 'primary 3']);
    expect(reserve.calls).toHaveLength(2);
  });

  it('takes whichever copy answers first, fails a task only when every copy failed, and passes on a failure', async () => {
    const { primary, reserve, queue } = fakePools(1);
    const primaryFirst = queue.run<string>({ n: 1 }, 'verify');
    await vi.advanceTimersByTimeAsync(STARVED_AFTER_MS);
    expect(reserve.calls).toHaveLength(1);
    primary.calls[0]!.resolve('primary first');
    expect(await primaryFirst).toBe('primary first');
    reserve.calls[0]!.resolve('reserve, too late');
    await vi.advanceTimersByTimeAsync(0);

    const reserveRescues = queue.run<string>({ n: 2 }, 'verify');
    await vi.advanceTimersByTimeAsync(STARVED_AFTER_MS);
    expect(reserve.calls).toHaveLength(2);
    primary.calls[1]!.reject(new Error('worker exited'));
    reserve.calls[1]!.resolve('reserve');
    expect(await reserveRescues).toBe('reserve');

    const failing = queue.run<string>({ n: 3 }, 'verify');
    primary.calls[2]!.reject(new Error('worker failed'));
    await expect(failing).rejects.toThrow('worker failed');
  });

  it('fails a task whose reserve cannot start only when its other copy fails too', async () => {
    const { primary, queue } = fakePools(1, () => {
      throw new Error('no thread for the reserve');
    });
    const stuck = queue.run<string>({ n: 1 }, 'hash');
    const refused = expect(queue.run<string>({ n: 2 }, 'hash')).rejects.toThrow('no thread for the reserve');
    await vi.advanceTimersByTimeAsync(STARVED_AFTER_MS);
    await refused;
    primary.calls[0]!.resolve('primary 1');
    expect(await stuck).toBe('primary 1');
  });

  it('once closed, refuses what is queued and what comes, and starts no reserve', async () => {
    const { primary, reserve, queue } = fakePools(1);
    const running = queue.run<string>({ n: 1 }, 'hash');
    const queued = queue.run<string>({ n: 2 }, 'hash');
    queue.close();
    await expect(queued).rejects.toThrow('password hasher is closed');
    await expect(queue.run({ n: 3 }, 'hash')).rejects.toThrow('password hasher is closed');
    await vi.advanceTimersByTimeAsync(STARVED_AFTER_MS * 4);
    expect(reserve.calls).toHaveLength(0);
    primary.calls[0]!.resolve('primary 1');
    expect(await running).toBe('primary 1');
  });
});

import { randomBytes } from 'node:crypto';
import { Piscina } from 'piscina';
import type { PasswordHasher } from '../core/index.js';

const WORKER = new URL('./password-worker.js', import.meta.url).href;
// Where a thread cannot take SCHED_IDLE, and for the reserve thread: nice 10 weighs 110 against
// 1024, so a contended core still gives logins about a tenth. On Linux the pool sets it per
// thread; elsewhere nice(2) would lower the whole process, event loop included, so it is left alone.
const HASHING_NICE_INCREMENT = process.platform === 'linux' ? 10 : 0;
/**
 * How long the idle-priority threads may finish no hash while hashes wait before the reserve
 * thread takes the waiting ones over. A hash takes a small fraction of this, so none done in that
 * time means other work has every core.
 */
const STARVED_AFTER_MS = 250;
// The reserve thread leaves after this long unused: it holds memory while it lives.
const RESERVE_IDLE_TIMEOUT_MS = 60_000;

/** Runs a named export of password-worker.js on some thread. */
export interface HashRunner {
  run<R>(task: object, name: string): Promise<R>;
}

function runnerOf(pool: Piscina): HashRunner {
  return { run: (task, name) => pool.run(task, { name }) };
}

interface Job {
  /** Dropped once the job is settled: a copy left running must not keep the password reachable. */
  task: object | null;
  name: string;
  /** Copies started and not failed: the job fails only when every copy has. */
  copies: number;
  onReserve: boolean;
  settled: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A HashRunner that can be shut: what is still queued is refused, and no copy starts any more. */
export interface HashQueue extends HashRunner {
  close(): void;
}

function settle(job: Job, outcome: () => void): void {
  if (job.settled) return;
  job.settled = true;
  job.task = null;
  outcome();
}

/**
 * Runs tasks on `primary`'s `threads` threads, which get only CPU time nothing else wants, and
 * queues the rest here. Should `primary` finish nothing for `starvedAfterMs` while it has work
 * (other work has every core), `reserve` takes tasks too, one at a time, oldest first: a task stuck
 * on a starved thread (the first answer wins), then the queue. Once `primary` finishes something it
 * takes the queue back. A long queue in front of a healthy pool, which keeps finishing tasks, is
 * not starvation. Nothing is aborted, since piscina aborts a running task by ending its thread: an
 * abandoned copy finishes on spare time, and at most `threads` exist.
 *
 * `now` is a monotonic clock: a wall clock stepped back would hide starvation.
 */
export function withReserve(
  primary: HashRunner,
  threads: number,
  reserve: () => HashRunner,
  starvedAfterMs: number,
  now: () => number = () => performance.now(),
): HashQueue {
  const queued: Job[] = [];
  // Jobs holding a primary thread, abandoned ones too, until their copy ends.
  const onPrimary = new Set<Job>();
  let reserveBusy = false;
  let progressAt = now();
  let watchdog: NodeJS.Timeout | undefined;
  let closed = false;

  const stuck = () => [...onPrimary].find((job) => !job.settled && !job.onReserve);
  const starved = () => onPrimary.size > 0 && now() - progressAt >= starvedAfterMs;

  function start(job: Job, run: () => Promise<unknown>, onEnd: () => void): void {
    job.copies++;
    let outcome: Promise<unknown>;
    try {
      outcome = run();
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      (value) => {
        settle(job, () => job.resolve(value));
        onEnd();
      },
      (error: unknown) => {
        if (--job.copies === 0) settle(job, () => job.reject(error));
        onEnd();
      },
    );
  }

  function watch(): void {
    clearTimeout(watchdog);
    if (closed || reserveBusy || onPrimary.size === 0 || (queued.length === 0 && !stuck())) return;
    watchdog = setTimeout(pump, Math.max(0, progressAt + starvedAfterMs - now()));
    watchdog.unref();
  }

  function pump(): void {
    while (onPrimary.size < threads && queued.length > 0) {
      const job = queued.shift()!;
      if (onPrimary.size === 0) progressAt = now();
      onPrimary.add(job);
      start(
        job,
        () => primary.run(job.task!, job.name),
        () => {
          onPrimary.delete(job);
          progressAt = now();
          pump();
        },
      );
    }
    if (!closed && !reserveBusy && starved()) {
      const job = stuck() ?? queued.shift();
      if (job) {
        job.onReserve = true;
        reserveBusy = true;
        start(
          job,
          () => reserve().run(job.task!, job.name),
          () => {
            reserveBusy = false;
            pump();
          },
        );
      }
    }
    watch();
  }

  return {
    run<R>(task: object, name: string): Promise<R> {
      if (closed) return Promise.reject(new Error('password hasher is closed'));
      return new Promise<R>((resolve, reject) => {
        queued.push({
          task,
          name,
          copies: 0,
          onReserve: false,
          settled: false,
          resolve: (value) => resolve(value as R),
          reject,
        });
        pump();
      });
    },
    close() {
      closed = true;
      clearTimeout(watchdog);
      for (const job of queued.splice(0)) settle(job, () => job.reject(new Error('password hasher is closed')));
    },
  };
}

function startPool(threads: number, idle: boolean): Piscina {
  const pool = new Piscina({
    filename: WORKER,
    // The idle-priority threads stay; the reserve thread starts when first needed.
    minThreads: idle ? threads : 0,
    maxThreads: threads,
    idleTimeout: RESERVE_IDLE_TIMEOUT_MS,
    niceIncrement: HASHING_NICE_INCREMENT,
    workerData: { idle },
  });
  // Without a listener, a worker that fails outside any task (at start, or while idle) would end
  // the process. The pool starts another, and a task on a failed worker rejects on its own.
  pool.on('error', () => {});
  return pool;
}

/**
 * Hashing (argon2id, parameters in password-worker.js) runs on `concurrency` worker threads of its
 * own, never on the event loop, so a burst of logins queues instead of starving request handling.
 * On Linux those threads run at SCHED_IDLE (see password-worker.js); should other work take every
 * core, one reserve thread at nice 10 keeps logins going (withReserve). Where a thread cannot take
 * SCHED_IDLE it keeps nice 10, and the reserve is then rarely needed but harmless.
 */
export async function createPasswordHasher(concurrency: number): Promise<PasswordHasher> {
  const idlePool = startPool(concurrency, true);
  let reservePool: Piscina | undefined;
  const queue = withReserve(
    runnerOf(idlePool),
    concurrency,
    () => runnerOf((reservePool ??= startPool(1, false))),
    STARVED_AFTER_MS,
  );
  // By the time the core closes, the server has drained its requests: what still runs on a thread
  // is a copy that lost to the reserve, or a hash whose caller is gone.
  const close = async () => {
    queue.close();
    await Promise.all([idlePool.destroy(), reservePool?.destroy()]);
  };
  const hash = (password: string): Promise<string> => queue.run({ password }, 'hash');
  try {
    const dummyHash = await hash(randomBytes(16).toString('hex'));
    return {
      hash,
      verify: async (passwordHash, password) => {
        const ok: boolean = await queue.run({ passwordHash: passwordHash ?? dummyHash, password }, 'verify');
        return ok && passwordHash !== undefined;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

import { randomBytes } from 'node:crypto';
import { Piscina } from 'piscina';

const WORKER = new URL('./password-worker.js', import.meta.url).href;
// Where a thread cannot take SCHED_IDLE, and for the reserve thread: nice 10 weighs 110 against
// 1024, so a contended core still gives logins about a tenth. On Linux the pool sets it per
// thread; elsewhere nice(2) would lower the whole process, event loop included, so it is left alone.
const HASHING_NICE_INCREMENT = process.platform === 'linux' ? 10 : 0;
/**
 * How long the idle-priority threads may finish no hash while hashes wait before the reserve
 * thread takes the waiting ones over. A hash is 10 to 25 ms of CPU, so a quarter of a second with
 * none done means other work has every core.
 */
const STARVED_AFTER_MS = 250;
// The reserve thread leaves after this long unused (about 11 MiB while it lives).
const RESERVE_IDLE_TIMEOUT_MS = 60_000;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies against `passwordHash`, or against a dummy hash when there is no user, so both take as long. */
  verify(passwordHash: string | undefined, password: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Runs a named export of password-worker.js on some thread. */
export interface HashRunner {
  run<R>(task: object, name: string): Promise<R>;
}

function runnerOf(pool: Piscina): HashRunner {
  return { run: (task, name) => pool.run(task, { name }) };
}

interface Job {
  task: object;
  name: string;
  /** Settles the caller's promise with the first of the outcomes given to it. */
  settle(outcome: Promise<unknown>): void;
}

/**
 * Runs tasks on `primary`'s `threads` threads, which get only CPU time nothing else wants, and
 * queues the rest here. Should `primary` finish nothing for `starvedAfterMs` while it has work
 * (other work has every core), every waiting task goes to `reserve` instead, and so does each new
 * one until `primary` finishes something again; a task already on a starved thread runs on
 * `reserve` too, and the first answer wins. A long queue in front of a healthy pool, which keeps
 * finishing tasks, is not starvation. Nothing is aborted, since piscina aborts a running task by
 * ending its thread: an abandoned copy finishes on spare time, and at most `threads` exist.
 */
export function withReserve(
  primary: HashRunner,
  threads: number,
  reserve: () => HashRunner,
  starvedAfterMs: number,
  now: () => number = Date.now,
): HashRunner {
  const queued: Job[] = [];
  const running = new Set<Job>();
  const rescued = new WeakSet<Job>();
  let progressAt = now();
  let watchdog: NodeJS.Timeout | undefined;

  const starved = () => running.size > 0 && now() - progressAt >= starvedAfterMs;

  function toReserve(job: Job): void {
    rescued.add(job);
    job.settle(reserve().run(job.task, job.name));
  }

  function rescueAll(): void {
    for (const job of running) if (!rescued.has(job)) toReserve(job);
    for (const job of queued.splice(0)) toReserve(job);
  }

  function watch(): void {
    clearTimeout(watchdog);
    if (running.size === 0) return;
    watchdog = setTimeout(
      () => {
        if (starved()) rescueAll();
        else watch();
      },
      progressAt + starvedAfterMs - now(),
    );
  }

  function startQueued(): void {
    while (running.size < threads && queued.length > 0) {
      const job = queued.shift()!;
      if (running.size === 0) progressAt = now();
      running.add(job);
      const outcome = primary.run(job.task, job.name);
      job.settle(outcome);
      const done = () => {
        running.delete(job);
        progressAt = now();
        startQueued();
      };
      outcome.then(done, done);
    }
    watch();
  }

  return {
    run<R>(task: object, name: string): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        const job: Job = { task, name, settle: (outcome) => void outcome.then((value) => resolve(value as R), reject) };
        if (starved()) {
          toReserve(job);
          return;
        }
        queued.push(job);
        startQueued();
      });
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
 * core, one reserve thread at nice 10 keeps logins going (withReserve).
 */
export async function createPasswordHasher(concurrency: number): Promise<PasswordHasher> {
  const idlePool = startPool(concurrency, true);
  let reservePool: Piscina | undefined;
  try {
    const runsIdle: boolean = await idlePool.run(null, { name: 'runsIdle' });
    const runner = runsIdle
      ? withReserve(runnerOf(idlePool), concurrency, () => runnerOf((reservePool ??= startPool(1, false))), STARVED_AFTER_MS)
      : runnerOf(idlePool);
    const hash = (password: string): Promise<string> => runner.run({ password }, 'hash');
    const dummyHash = await hash(randomBytes(16).toString('hex'));
    return {
      hash,
      verify: async (passwordHash, password) => {
        const ok: boolean = await runner.run({ passwordHash: passwordHash ?? dummyHash, password }, 'verify');
        return ok && passwordHash !== undefined;
      },
      close: async () => {
        await Promise.all([idlePool.close(), reservePool?.close()]);
      },
    };
  } catch (error) {
    await idlePool.destroy();
    throw error;
  }
}

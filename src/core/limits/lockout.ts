import { KvUnavailableError } from '../../store/kv.js';
import type { FailureStore } from '../../store/failure-store.js';

/** How one factor's consecutive failures turn into lockouts (NIST SP 800-63B 5.2.2). */
export interface LockoutPolicy {
  /** Consecutive failures that start the first lockout; each failure after it starts the next. */
  maxFailures: number;
  firstLockoutSeconds: number;
  /** Each lockout lasts twice the last, up to this. */
  maxLockoutSeconds: number;
  /** Consecutive failures at which the factor is blocked until an operator unlocks it. */
  blockFailures: number;
  /** How long a record is kept after its last failure once a lockout has begun (a block is kept until unlocked). */
  forgetSeconds: number;
  /**
   * How long a count that never reached a lockout is kept after its last failure: short, since
   * every unknown e-mail tried leaves one, and a count that small is no threat yet.
   */
  resetSeconds: number;
}

/** Consecutive failures so far, the end of the current lockout (epoch ms), and whether blocked. */
export interface FailureRecord {
  failures: number;
  lockedUntil: number;
  blocked: boolean;
}

export type AttemptVerdict =
  | { allowed: true }
  | { allowed: false; reason: 'temporary'; retryAfterMs: number }
  | { allowed: false; reason: 'blocked' };

const EMPTY: FailureRecord = { failures: 0, lockedUntil: 0, blocked: false };
/** A block ends only by an operator's unlock: its record is kept for good (a century). */
const BLOCK_KEPT_MS = 100 * 365 * 24 * 3_600_000;
/** Enough for every parallel attempt on one record to get its turn. */
const MAX_WRITE_RACES = 100;

/** How long the lockout that follows the `failures`-th consecutive failure lasts, in ms (0: none). */
export function lockoutMs(failures: number, policy: LockoutPolicy): number {
  if (failures < policy.maxFailures) return 0;
  const cap = Math.max(policy.firstLockoutSeconds, policy.maxLockoutSeconds);
  // Capped before the power grows past what a double holds exactly.
  const doublings = Math.min(failures - policy.maxFailures, 40);
  return Math.min(policy.firstLockoutSeconds * 2 ** doublings, cap) * 1000;
}

/**
 * One attempt against `record` at `now`: refused while locked or blocked; otherwise counted as a
 * failure in advance (a success forgets the record), which locks or blocks the next attempt once
 * the count calls for it. Counting first means parallel guesses cannot slip past the limit.
 */
export function takeAttempt(
  record: FailureRecord,
  now: number,
  policy: LockoutPolicy,
): { verdict: AttemptVerdict; next?: FailureRecord } {
  if (record.blocked) return { verdict: { allowed: false, reason: 'blocked' } };
  if (now < record.lockedUntil)
    return { verdict: { allowed: false, reason: 'temporary', retryAfterMs: record.lockedUntil - now } };
  const failures = record.failures + 1;
  const blocked = failures >= policy.blockFailures;
  const duration = lockoutMs(failures, policy);
  return {
    verdict: { allowed: true },
    next: { failures, blocked, lockedUntil: duration > 0 ? now + duration : record.lockedUntil },
  };
}

/** How long `record` is kept after this failure: long once a lockout has begun, short before. */
function keptForMs(record: FailureRecord, policy: LockoutPolicy): number {
  const seconds =
    record.failures >= policy.maxFailures ? policy.forgetSeconds : Math.min(policy.resetSeconds, policy.forgetSeconds);
  return seconds * 1000;
}

// The stored form carries its own forget time, so the injected clock decides when a record is
// forgotten on every store; the store's TTL only clears it away later.
function parse(value: string | null, now: number): FailureRecord {
  if (value === null) return EMPTY;
  const [failures, lockedUntil, blocked, forgetAt] = value.split(':').map(Number);
  if (!(Number(forgetAt) > now)) return EMPTY;
  return { failures: failures ?? 0, lockedUntil: lockedUntil ?? 0, blocked: blocked === 1 };
}

function format(record: FailureRecord, forgetAt: number): string {
  return `${record.failures}:${record.lockedUntil}:${record.blocked ? 1 : 0}:${forgetAt}`;
}

/** One factor's lockouts over the shared failure records. */
export class Lockout {
  constructor(
    private readonly store: FailureStore,
    private readonly policy: LockoutPolicy,
    private readonly clock: () => number,
  ) {}

  /** Takes one attempt on (`group`, `member`), atomically across instances. */
  async take(group: string, member: string): Promise<AttemptVerdict> {
    for (let race = 0; race < MAX_WRITE_RACES; race++) {
      const current = await this.store.read(group, member);
      const now = this.clock();
      const { verdict, next } = takeAttempt(parse(current, now), now, this.policy);
      if (!next) return verdict;
      const forgetMs = next.blocked ? BLOCK_KEPT_MS : keptForMs(next, this.policy);
      if (await this.store.compareAndSet(group, member, current, format(next, now + forgetMs), forgetMs))
        return verdict;
    }
    throw new KvUnavailableError(`lockout record ${group} kept changing under ${MAX_WRITE_RACES} writes`);
  }

  forget(group: string, member?: string): Promise<void> {
    return this.store.forget(group, member);
  }
}

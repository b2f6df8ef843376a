export interface LimitResult {
  allowed: boolean;
  /** When refused: how long until the next attempt is allowed. */
  retryAfterMs: number;
}

/** A shared, atomic attempt counter: every instance consumes from the same budget. */
export interface Limiter {
  /** Takes one point; refuses once `points` were taken within the window (and blocks for `blockSeconds`). */
  consume(key: string): Promise<LimitResult>;
  /**
   * Whether the budget is spent (more than `points` taken), without taking one. A read: two
   * requests may both find it unspent, so it bounds what a limit already refused, not a race.
   */
  peek(key: string): Promise<LimitResult>;
  reset(key: string): Promise<void>;
}

export interface LimiterOptions {
  /** Namespaces the keys: `login-ip`, `lockout`, ... */
  name: string;
  points: number;
  durationSeconds: number;
  /** How long to refuse after the budget is spent; defaults to the rest of the window. */
  blockSeconds?: number;
}

export type LimiterFactory = (options: LimiterOptions) => Limiter;

import { AuthError } from '../errors.js';

/**
 * Bounds the requests that hash a password (login, sign-up, step-up, password change, 2FA
 * disable) to `capacity`: those hashing and those waiting. Past it a request is refused with 503
 * SERVER_BUSY before anything is counted, so a burst costs neither the caller's lockout budget nor
 * its rate limit, and the admitted ones wait a bounded time.
 */
export class HashAdmission {
  private inside = 0;

  constructor(private readonly capacity: number) {}

  /** Requests holding a place now. */
  get admitted(): number {
    return this.inside;
  }

  /** Runs `work` holding one place (its hashes included); throws SERVER_BUSY when none is free. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    // A hash takes a fraction of a second, so a full queue drains within about one.
    if (this.inside >= this.capacity) throw new AuthError('SERVER_BUSY', { headers: { 'retry-after': '1' } });
    this.inside++;
    try {
      return await work();
    } finally {
      this.inside--;
    }
  }
}

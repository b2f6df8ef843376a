import type { Limiter, LimiterFactory } from '../store/limiter.js';
import { normalizeEmail } from '../store/user-store.js';
import { AuthError } from './errors.js';
import { rateLimitSubject } from './rate-limit-subject.js';

export interface LoginLimitSettings {
  loginRateLimit: number;
  loginRateLimitWindowSeconds: number;
  /** Bits of an IPv6 address that name one client (see rateLimitSubject). */
  loginRateLimitIpv6Prefix: number;
  lockoutMaxFailures: number;
  lockoutSeconds: number;
  mfaLockoutMaxFailures: number;
  mfaLockoutSeconds: number;
}

/** Wrong codes one pending token survives before it is spent. */
export const PENDING_TOKEN_MAX_ATTEMPTS = 5;

function retryAfter(ms: number): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) };
}

/**
 * The IP rate limit, the per-account password lockout, and the second-factor counters (per
 * pending token and per account), all counted in the shared store.
 */
export class LoginLimits {
  private readonly perIp: Limiter;
  private readonly perAccount: Limiter;
  private readonly secondFactorPerAccount: Limiter;
  private readonly perPendingToken: Limiter;
  private readonly ipv6PrefixLength: number;

  constructor(createLimiter: LimiterFactory, settings: LoginLimitSettings) {
    this.ipv6PrefixLength = settings.loginRateLimitIpv6Prefix;
    this.perIp = createLimiter({
      name: 'login-ip',
      points: settings.loginRateLimit,
      durationSeconds: settings.loginRateLimitWindowSeconds,
    });
    this.perAccount = createLimiter({
      name: 'lockout',
      points: settings.lockoutMaxFailures,
      durationSeconds: settings.lockoutSeconds,
      blockSeconds: settings.lockoutSeconds,
    });
    this.secondFactorPerAccount = createLimiter({
      name: 'mfa-lockout',
      points: settings.mfaLockoutMaxFailures,
      durationSeconds: settings.mfaLockoutSeconds,
      blockSeconds: settings.mfaLockoutSeconds,
    });
    this.perPendingToken = createLimiter({
      name: 'mfa-pending',
      points: PENDING_TOKEN_MAX_ATTEMPTS,
      durationSeconds: 3600,
    });
  }

  /** Counts one attempt from `ip` (an IPv6 client by its network); throws 429 once the window's budget is spent. */
  async takeIpAttempt(ip: string): Promise<void> {
    const result = await this.perIp.consume(rateLimitSubject(ip, this.ipv6PrefixLength));
    if (!result.allowed) throw new AuthError('TOO_MANY_LOGIN_ATTEMPTS', { headers: retryAfter(result.retryAfterMs) });
  }

  /**
   * Reserves one attempt on the account before the password is checked, so parallel guesses
   * cannot slip past the limit; a success gives it back with `clearFailures`. Unknown e-mails
   * are counted alike, so a 423 does not reveal whether an account exists.
   */
  async takeAccountAttempt(email: string): Promise<{ locked: boolean; retryAfterMs: number }> {
    const result = await this.perAccount.consume(normalizeEmail(email));
    return { locked: !result.allowed, retryAfterMs: result.retryAfterMs };
  }

  accountLockedError(retryAfterMs: number): AuthError {
    return new AuthError('ACCOUNT_LOCKED', {
      headers: retryAfter(retryAfterMs),
      details: { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) },
    });
  }

  clearFailures(email: string): Promise<void> {
    return this.perAccount.reset(normalizeEmail(email));
  }

  /** Reserves one second-factor attempt on the account (same reserve-first scheme as passwords). */
  async takeSecondFactorAttempt(userId: string): Promise<void> {
    const result = await this.secondFactorPerAccount.consume(userId);
    if (!result.allowed) {
      throw new AuthError('MFA_LOCKED', {
        headers: retryAfter(result.retryAfterMs),
        details: { retryAfterSeconds: Math.ceil(result.retryAfterMs / 1000) },
      });
    }
  }

  clearSecondFactorFailures(userId: string): Promise<void> {
    return this.secondFactorPerAccount.reset(userId);
  }

  /** Counts one code tried with a pending token; false once the token has had its attempts. */
  async takePendingTokenAttempt(jtiHash: string): Promise<boolean> {
    return (await this.perPendingToken.consume(jtiHash)).allowed;
  }
}

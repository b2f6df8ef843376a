import type { FailureStore } from '../../store/failure-store.js';
import { KvUnavailableError } from '../../store/kv.js';
import type { Limiter, LimiterFactory } from '../../store/limiter.js';
import { normalizeEmail } from '../users/user.js';
import { AuthError, type ErrorCode } from '../errors.js';
import { Lockout, type AttemptVerdict } from './lockout.js';
import { rateLimitSubject } from './rate-limit-subject.js';

export interface LoginLimitSettings {
  loginRateLimit: number;
  loginRateLimitWindowSeconds: number;
  /** Bits of an IPv6 address that name one client (see rateLimitSubject). */
  loginRateLimitIpv6Prefix: number;
  lockoutMaxFailures: number;
  lockoutSeconds: number;
  lockoutMaxSeconds: number;
  lockoutBlockFailures: number;
  lockoutForgetSeconds: number;
  lockoutResetSeconds: number;
  mfaLockoutMaxFailures: number;
  mfaLockoutSeconds: number;
  mfaLockoutMaxSeconds: number;
  mfaBlockFailures: number;
}

/** Wrong codes one pending token survives before it is spent. */
export const PENDING_TOKEN_MAX_ATTEMPTS = 5;

/** The account-wide record within an account's group. */
const ACCOUNT = 'account';

function retryAfter(ms: number): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) };
}

/** 423 with why: `temporary` with the wait (and Retry-After), or `blocked` until an operator unlocks. */
function lockedError(code: ErrorCode, verdict: Exclude<AttemptVerdict, { allowed: true }>): AuthError {
  if (verdict.reason === 'blocked') return new AuthError(code, { details: { reason: 'blocked' } });
  const retryAfterSeconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
  return new AuthError(code, {
    headers: retryAfter(verdict.retryAfterMs),
    details: { reason: 'temporary', retryAfterSeconds },
  });
}

/**
 * The IP rate limit, the password and second-factor lockouts (each factor its own count, per
 * account or per known device), and the per-pending-token counter, all in the shared stores.
 */
export class LoginLimits {
  private readonly perIp: Limiter;
  private readonly perIpPasskeyOptions: Limiter;
  private readonly perPendingToken: Limiter;
  private readonly password: Lockout;
  private readonly secondFactor: Lockout;
  private readonly ipv6PrefixLength: number;

  constructor(
    createLimiter: LimiterFactory,
    failures: FailureStore,
    settings: LoginLimitSettings,
    clock: () => number,
  ) {
    this.ipv6PrefixLength = settings.loginRateLimitIpv6Prefix;
    this.perIp = createLimiter({
      name: 'login-ip',
      points: settings.loginRateLimit,
      durationSeconds: settings.loginRateLimitWindowSeconds,
    });
    // Options calls store a challenge: limited per IP like logins, but on their own count, so
    // fetching options (a sign-in page's autofill does on every load) spends no login attempt.
    this.perIpPasskeyOptions = createLimiter({
      name: 'passkey-options-ip',
      points: settings.loginRateLimit,
      durationSeconds: settings.loginRateLimitWindowSeconds,
    });
    this.perPendingToken = createLimiter({
      name: 'mfa-pending',
      points: PENDING_TOKEN_MAX_ATTEMPTS,
      durationSeconds: 3600,
    });
    const forgetSeconds = settings.lockoutForgetSeconds;
    this.password = new Lockout(
      failures,
      {
        maxFailures: settings.lockoutMaxFailures,
        firstLockoutSeconds: settings.lockoutSeconds,
        maxLockoutSeconds: settings.lockoutMaxSeconds,
        blockFailures: settings.lockoutBlockFailures,
        forgetSeconds,
        resetSeconds: settings.lockoutResetSeconds,
      },
      clock,
    );
    this.secondFactor = new Lockout(
      failures,
      {
        maxFailures: settings.mfaLockoutMaxFailures,
        firstLockoutSeconds: settings.mfaLockoutSeconds,
        maxLockoutSeconds: settings.mfaLockoutMaxSeconds,
        blockFailures: settings.mfaBlockFailures,
        forgetSeconds,
        resetSeconds: settings.lockoutResetSeconds,
      },
      clock,
    );
  }

  /** Counts one attempt from `ip` (an IPv6 client by its network); throws 429 once the window's budget is spent. */
  async takeIpAttempt(ip: string): Promise<void> {
    const result = await this.perIp.consume(rateLimitSubject(ip, this.ipv6PrefixLength));
    if (!result.allowed) throw new AuthError('TOO_MANY_LOGIN_ATTEMPTS', { headers: retryAfter(result.retryAfterMs) });
  }

  /** Counts one passkey options call from `ip` (LOGIN_RATE_LIMIT per window, its own count); 429 past it. */
  async takePasskeyOptionsAttempt(ip: string): Promise<void> {
    const result = await this.perIpPasskeyOptions.consume(rateLimitSubject(ip, this.ipv6PrefixLength));
    if (!result.allowed) throw new AuthError('TOO_MANY_LOGIN_ATTEMPTS', { headers: retryAfter(result.retryAfterMs) });
  }

  /**
   * Reserves one password attempt before the password is checked, so parallel guesses cannot slip
   * past the limit; a success gives it back with `clearFailures`. `deviceId` (from a valid device
   * cookie for this account) counts it against that device instead of the account. Unknown e-mails
   * are counted alike, so a 423 does not reveal whether an account exists.
   */
  takeAccountAttempt(email: string, deviceId: string | null): Promise<AttemptVerdict> {
    return this.password.take(...passwordRecord(email, deviceId));
  }

  accountLockedError(verdict: Exclude<AttemptVerdict, { allowed: true }>): AuthError {
    return lockedError('ACCOUNT_LOCKED', verdict);
  }

  /** After a correct password: forgets the count the attempt was taken from (the device's, or the account's). */
  clearFailures(email: string, deviceId: string | null = null): Promise<void> {
    return this.password.forget(...passwordRecord(email, deviceId)).catch(keepCountWhenUnavailable);
  }

  /**
   * Reserves one second-factor attempt on the account (same scheme as passwords); throws MFA_LOCKED
   * while locked. Always account-wide: whoever reaches this step knows the password, and device
   * budgets would multiply the guesses of anyone who once did.
   */
  async takeSecondFactorAttempt(user: { id: string }): Promise<void> {
    const verdict = await this.secondFactor.take(`mfa:${user.id}`, ACCOUNT);
    if (!verdict.allowed) throw lockedError('MFA_LOCKED', verdict);
  }

  clearSecondFactorFailures(user: { id: string }): Promise<void> {
    return this.secondFactor.forget(`mfa:${user.id}`, ACCOUNT).catch(keepCountWhenUnavailable);
  }

  /** An operator's unlock: both factors' counts, lockouts and blocks, for the account and all its devices. */
  async unlock(user: { id: string; email: string }): Promise<void> {
    const normalized = normalizeEmail(user.email);
    await this.password.forget(`pw:${normalized}`);
    await this.password.forget(`pw-device:${normalized}`);
    await this.forgetSecondFactor(user);
  }

  /** Forgets the second factor's count, lockout and block. */
  forgetSecondFactor(user: { id: string }): Promise<void> {
    return this.secondFactor.forget(`mfa:${user.id}`);
  }

  /** Counts one code tried with a pending token; false once the token has had its attempts. */
  async takePendingTokenAttempt(jtiHash: string): Promise<boolean> {
    return (await this.perPendingToken.consume(jtiHash)).allowed;
  }
}

/** A success's reset that cannot reach the shared store leaves the count standing: the safe side. */
function keepCountWhenUnavailable(error: unknown): void {
  if (!(error instanceof KvUnavailableError)) throw error;
}

function passwordRecord(email: string, deviceId: string | null): [group: string, member: string] {
  const normalized = normalizeEmail(email);
  return deviceId === null ? [`pw:${normalized}`, ACCOUNT] : [`pw-device:${normalized}`, deviceId];
}

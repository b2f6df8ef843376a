import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { lockoutMs, takeAttempt, type FailureRecord, type LockoutPolicy } from './lockout.js';

const HOUR_MS = 3_600_000;

/** The password policy as the default configuration sets it. */
function defaultPolicy(): LockoutPolicy {
  const config = loadConfig({ DATA_DIR: '/tmp/latchkey-lockout-test' });
  return {
    maxFailures: config.lockoutMaxFailures,
    firstLockoutSeconds: config.lockoutSeconds,
    maxLockoutSeconds: config.lockoutMaxSeconds,
    blockFailures: config.lockoutBlockFailures,
    forgetSeconds: config.lockoutForgetSeconds,
    resetSeconds: config.lockoutResetSeconds,
  };
}

describe('lockout rules at the default settings', () => {
  it('doubles each lockout from 30 minutes up to 24 hours, and blocks at the 100th consecutive failure', () => {
    const policy = defaultPolicy();
    let record: FailureRecord = { failures: 0, lockedUntil: 0, blocked: false };
    let now = 1_000_000;
    const lockouts: number[] = [];
    let attempts = 0;
    for (;;) {
      const { verdict, next } = takeAttempt(record, now, policy);
      if (!verdict.allowed) {
        if (verdict.reason === 'blocked') break;
        // Waiting out the lockout is the only way on; the refused attempt counted nothing.
        expect(next).toBeUndefined();
        lockouts.push(verdict.retryAfterMs);
        now += verdict.retryAfterMs;
        continue;
      }
      attempts++;
      record = next!;
    }
    expect(attempts).toBe(100);
    expect(lockouts.slice(0, 8)).toEqual([0.5, 1, 2, 4, 8, 16, 24, 24].map((h) => h * HOUR_MS));
    expect(lockouts).toHaveLength(100 - 5);
    expect(new Set(lockouts.slice(6))).toEqual(new Set([24 * HOUR_MS]));
    // Blocked stays blocked, however long one waits.
    expect(takeAttempt(record, now + 365 * 24 * HOUR_MS, policy).verdict).toEqual({
      allowed: false,
      reason: 'blocked',
    });
  });

  it('never makes a lockout shorter than the first, even with a smaller cap', () => {
    const policy = { ...defaultPolicy(), maxLockoutSeconds: 60 };
    expect(lockoutMs(4, policy)).toBe(0);
    expect(lockoutMs(5, policy)).toBe(30 * 60_000);
    expect(lockoutMs(9, policy)).toBe(30 * 60_000);
  });
});

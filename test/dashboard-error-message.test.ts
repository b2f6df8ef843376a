import { describe, expect, it } from 'vitest';
import { LatchkeyError } from '@latchkey/client';
import { describeError } from '../web/src/lib/error-message.js';

describe("the dashboard's lockout messages", () => {
  it.each([
    ['ACCOUNT_LOCKED', 'This account is locked after too many failed sign-in attempts.'],
    ['MFA_LOCKED', 'Two-factor sign-in is locked after too many wrong codes.'],
  ])('%s: the time left when temporary, the administrator when blocked', (code, start) => {
    expect(
      describeError(new LatchkeyError(423, code, 'locked', { reason: 'temporary', retryAfterSeconds: 3600 }, 3600)),
    ).toBe(`${start} Try again in 1 hour.`);
    expect(describeError(new LatchkeyError(423, code, 'locked', { reason: 'blocked' }))).toBe(
      `${start} Ask your administrator to unlock it.`,
    );
  });
});

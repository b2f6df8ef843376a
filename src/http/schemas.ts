import { z } from 'zod';
import { ROLES } from '../core/index.js';

/**
 * Makes a missing field read "email: is required", not zod's "Invalid input: expected string,
 * received undefined". zod keeps this setting process-wide, so it also words the configuration's
 * errors; buildApp calls it.
 */
export function sayMissingFieldsAreRequired(): void {
  z.config({
    customError: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
  });
}

// Shared field rules; each surface names the fields its own doc uses.
export const email = z
  .email({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a valid email address') })
  .max(254);
/** Login accepts any non-empty password up to a sane bound: the policy applies when one is set. */
export const loginPassword = z.string().min(1, 'is required').max(1024);
/**
 * A password being chosen: only bounded here. The policy (length, the list of guessable ones) is
 * the core's, so every surface and the CLI answer WEAK_PASSWORD / GUESSABLE_PASSWORD alike.
 */
export const newPassword = z.string().min(1, 'is required').max(1024);
export const jwt = z.string().min(1, 'is required').max(4096);

export const user = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  plan: z.string(),
});

/** The token of a mailed link (the part after `#token=`). */
export const emailToken = z.string().min(1, 'is required').max(256);

/** A TOTP code (6 digits) or a recovery code (`abcd-efgh-ijkl-mnop`). */
export const secondFactorCode = z.string().trim().min(6, 'must be a 6-digit code or a recovery code').max(32);

/** Epoch milliseconds as an ISO 8601 string, the form every API timestamp takes. */
export function isoTime(ms: number): string;
export function isoTime(ms: number | null): string | null;
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The parts every error body has, whichever its surface's shape (README, Errors). */
export const errorCode = z.string().describe('Stable code (README, Errors)');
export const errorDetails = z
  .record(z.string(), z.unknown())
  .optional()
  .describe('Machine-readable extras: requiredScope, reason and retryAfterSeconds (423), maxAgeSeconds');

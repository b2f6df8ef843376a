import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../digests.js';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const FORMAT = /^[a-z2-7]{16}$/;

/**
 * Ten single-use codes of 80 random bits each, shown as `abcd-efgh-ijkl-mnop`. With that much
 * entropy a plain SHA-256 at rest cannot be brute-forced, and it allows lookup by hash.
 */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(16);
    const chars = [...bytes].map((b) => ALPHABET[b & 31]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** A fresh set: the codes to show once, and the hashes to store. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = generateRecoveryCodes();
  return { codes, hashes: codes.map((code) => hashRecoveryCode(normalizeRecoveryCode(code)!)) };
}

/** Lower-cases and strips separators; null when the input cannot be a recovery code. */
export function normalizeRecoveryCode(input: string): string | null {
  const normalized = input.toLowerCase().replace(/[\s-]/g, '');
  return FORMAT.test(normalized) ? normalized : null;
}

export function hashRecoveryCode(normalized: string): string {
  return sha256Hex(`recovery:${normalized}`);
}

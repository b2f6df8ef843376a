import crypto, { timingSafeEqual } from 'node:crypto';

/**
 * SHA-256 as hex: how tokens are looked up without storing them, and how a cached one is found
 * without comparing the secret itself. Every authenticated request hashes its token, so the
 * cheaper one-call crypto.hash (Node 20.12 and later) is used where there is one.
 */
export const sha256Hex: (value: string) => string =
  typeof crypto.hash === 'function'
    ? (value) => crypto.hash('sha256', value, 'hex')
    : (value) => crypto.createHash('sha256').update(value).digest('hex');

/** Constant-time equality of two strings (length is not secret). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

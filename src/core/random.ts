import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random identifier with a type prefix, e.g. `user_3f9c...` (96 bits). */
export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/** SHA-256 as hex: how tokens are looked up without storing them. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time equality of two strings (length is not secret). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

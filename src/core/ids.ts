import { randomBytes } from 'node:crypto';

/** A random identifier with a type prefix, e.g. `user_3f9c...` (96 bits). */
export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

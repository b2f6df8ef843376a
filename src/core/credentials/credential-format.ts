import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_BYTES = 32;
const BODY_LENGTH = 43; // 32 bytes in base62
const CHECKSUM_LENGTH = 6;

function toBase62(bytes: Buffer, length: number): string {
  let value = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (value > 0n) {
    out = BASE62[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out.padStart(length, '0');
}

/**
 * The last six characters: base62 of the first four bytes of SHA-256(prefix + body). A secret
 * scanner can check them offline, and a mistyped or altered secret fails before any lookup.
 */
function checksum(prefix: string, body: string): string {
  return toBase62(
    createHash('sha256')
      .update(prefix + body)
      .digest()
      .subarray(0, 4),
    CHECKSUM_LENGTH,
  );
}

/** A new secret: `<prefix><43 base62 chars of 32 random bytes><6-char checksum>`. */
export function generateSecret(prefix: string): string {
  const body = toBase62(randomBytes(RANDOM_BYTES), BODY_LENGTH);
  return prefix + body + checksum(prefix, body);
}

/** Whether `secret` has the form and a valid checksum for `prefix` (no lookup, no timing concern: public data). */
export function isWellFormedSecret(secret: string, prefix: string): boolean {
  if (secret.length !== prefix.length + BODY_LENGTH + CHECKSUM_LENGTH || !secret.startsWith(prefix)) return false;
  const body = secret.slice(prefix.length, prefix.length + BODY_LENGTH);
  if (!/^[0-9A-Za-z]+$/.test(body)) return false;
  return secret.slice(-CHECKSUM_LENGTH) === checksum(prefix, body);
}

/** What is shown of a secret after creation: enough to recognise it, far too little to use it. */
export function displayPrefix(secret: string, prefix: string): string {
  return secret.slice(0, prefix.length + 4);
}

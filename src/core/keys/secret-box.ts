import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** What a ciphertext is for; bound into it as associated data so one kind cannot pass for another. */
export type SecretPurpose = 'signing-key' | 'refresh-successor' | 'totp-secret';

const VERSION = 'v1';

/** Encrypts secrets at rest with AES-256-GCM under a key derived from LATCHKEY_SECRET (HKDF-SHA256). */
export interface SecretBox {
  seal(plaintext: string, purpose: SecretPurpose): string;
  /** Throws when the ciphertext was tampered with or sealed under another secret. */
  open(sealed: string, purpose: SecretPurpose): string;
}

export function createSecretBox(masterSecret: string): SecretBox {
  const key = Buffer.from(hkdfSync('sha256', masterSecret, 'latchkey', 'latchkey secret box v1', 32));
  return {
    seal(plaintext, purpose) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(purpose));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
    },
    open(sealed, purpose) {
      const [version, ivPart, bodyPart] = sealed.split('.');
      if (version !== VERSION || !ivPart || !bodyPart) throw new Error('unrecognised sealed secret');
      const body = Buffer.from(bodyPart, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivPart, 'base64url'));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
    },
  };
}

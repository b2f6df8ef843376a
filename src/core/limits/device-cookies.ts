import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { normalizeEmail } from '../users/user.js';
import type { Clock } from '../clock.js';
import { sha256Hex } from '../digests.js';

const VERSION = 'd2';
const DEVICE_ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * What a device cookie is bound to besides the e-mail: the account's id and a digest of its current
 * password hash, so a new account on the same e-mail, or a password change or reset, voids every
 * cookie issued before. Null when there is no such account.
 */
export function accountStamp(account: { id: string; passwordHash: string } | null): string | null {
  return account ? `${account.id}.${sha256Hex(account.passwordHash)}` : null;
}

/**
 * Device cookies (OWASP "Slow Down Online Guessing Attacks with Device Cookies"): a browser that
 * once logged in to an account carries a signed value naming the account and a random device id,
 * and its password attempts on that account count against the device's own budget. The value is
 * not a credential; forging one would only move an attacker to a budget that is not the account's.
 */
export class DeviceCookies {
  private readonly key: Buffer;

  constructor(
    masterSecret: string,
    private readonly ttlSeconds: number,
    private readonly clock: Clock,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', masterSecret, 'latchkey', 'latchkey device cookie v2', 32));
  }

  private mac(deviceId: string, expires: number, email: string, stamp: string): Buffer {
    return createHmac('sha256', this.key)
      .update(`${VERSION}.${deviceId}.${expires}.${normalizeEmail(email)}.${stamp}`)
      .digest();
  }

  /**
   * The device id `presented` carries for `email` and its account's `stamp` (accountStamp); null
   * when absent, expired, tampered with, for another account, or issued before the account's
   * password last changed.
   */
  deviceOf(presented: string | null | undefined, email: string, stamp: string | null): string | null {
    const [version, deviceId, expiresPart, macPart, extra] = (presented ?? '').split('.');
    if (
      version !== VERSION ||
      !deviceId ||
      !DEVICE_ID.test(deviceId) ||
      !expiresPart ||
      !macPart ||
      extra !== undefined
    )
      return null;
    const expires = Number(expiresPart);
    if (!Number.isSafeInteger(expires) || expires * 1000 <= this.clock()) return null;
    if (stamp === null) return null;
    const given = Buffer.from(macPart, 'base64url');
    const expected = this.mac(deviceId, expires, email, stamp);
    return given.length === expected.length && timingSafeEqual(given, expected) ? deviceId : null;
  }

  /** A fresh value for `email`, keeping the device id of `presented` when that is valid for the account. */
  issue(presented: string | null | undefined, email: string, stamp: string): string {
    const deviceId = this.deviceOf(presented, email, stamp) ?? randomBytes(16).toString('base64url');
    const expires = Math.floor(this.clock() / 1000) + this.ttlSeconds;
    return `${VERSION}.${deviceId}.${expires}.${this.mac(deviceId, expires, email, stamp).toString('base64url')}`;
  }
}

import { Secret, TOTP } from 'otpauth';

/** RFC 6238 parameters every authenticator app supports (Key URI Format defaults). */
export const TOTP_PARAMETERS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

export interface TotpOptions {
  algorithm?: string;
  digits?: number;
}

/** A new 160-bit secret (RFC 4226 section 4 recommends 160), base32 as authenticator apps expect. */
export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app scans: issuer and account label, secret, algorithm, digits, period. */
export function totpUri(secretBase32: string, issuer: string, account: string): string {
  return new TOTP({ issuer, label: account, secret: Secret.fromBase32(secretBase32), ...TOTP_PARAMETERS }).toString();
}

/** The code for `timestampMs`. Latchkey only verifies; this exists for the RFC 6238 vectors. */
export function totpCode(secretBase32: string, timestampMs: number, options: TotpOptions = {}): string {
  return TOTP.generate({
    ...TOTP_PARAMETERS,
    ...options,
    secret: Secret.fromBase32(secretBase32),
    timestamp: timestampMs,
  });
}

/**
 * The time step `code` belongs to, if it matches within `driftSteps` steps either way of
 * `timestampMs`; otpauth compares in constant time. The step feeds the replay check.
 */
export function matchTotp(
  secretBase32: string,
  code: string,
  timestampMs: number,
  driftSteps: number,
  options: TotpOptions = {},
): number | null {
  const settings = { ...TOTP_PARAMETERS, ...options };
  const delta = TOTP.validate({
    ...settings,
    token: code,
    secret: Secret.fromBase32(secretBase32),
    timestamp: timestampMs,
    window: driftSteps,
  });
  return delta === null ? null : TOTP.counter({ period: settings.period, timestamp: timestampMs }) + delta;
}

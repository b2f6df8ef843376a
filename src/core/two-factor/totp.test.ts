import { Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { generateTotpSecret, matchTotp, totpCode, totpUri } from './totp.js';

// RFC 6238 Appendix B, SHA1 rows: the seed is the ASCII string "12345678901234567890", 8 digits.
const RFC6238_SHA1 = [
  { time: 59, code: '94287082' },
  { time: 1111111109, code: '07081804' },
  { time: 1111111111, code: '14050471' },
  { time: 1234567890, code: '89005924' },
  { time: 2000000000, code: '69279037' },
  { time: 20000000000, code: '65353130' },
];
const RFC_SEED = Secret.fromLatin1('12345678901234567890').base32;

describe('TOTP', () => {
  it.each(RFC6238_SHA1)('produces the RFC 6238 vector at T=$time', ({ time, code }) => {
    expect(totpCode(RFC_SEED, time * 1000, { digits: 8 })).toBe(code);
  });

  it.each(RFC6238_SHA1)('accepts the RFC 6238 vector at T=$time and names its step', ({ time, code }) => {
    expect(matchTotp(RFC_SEED, code, time * 1000, 0, { digits: 8 })).toBe(Math.floor(time / 30));
  });

  it('accepts one step of drift either way, and not two', () => {
    const secret = generateTotpSecret();
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(matchTotp(secret, totpCode(secret, now - 30_000), now, 1)).toBe(step - 1);
    expect(matchTotp(secret, totpCode(secret, now + 30_000), now, 1)).toBe(step + 1);
    expect(matchTotp(secret, totpCode(secret, now - 60_000), now, 1)).toBeNull();
    expect(matchTotp(secret, totpCode(secret, now + 60_000), now, 1)).toBeNull();
    expect(matchTotp(secret, totpCode(secret, now - 30_000), now, 0)).toBeNull();
  });

  it('makes 160-bit base32 secrets and a Key URI Format URI', () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(totpUri(secret, 'Latchkey', 'ada@example.com'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Latchkey:ada@example.com');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      issuer: 'Latchkey',
      secret,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});

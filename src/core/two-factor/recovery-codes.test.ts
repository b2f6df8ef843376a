import { describe, expect, it } from 'vitest';
import {
  generateRecoveryCodes,
  hashRecoveryCode,
  normalizeRecoveryCode,
  RECOVERY_CODE_COUNT,
} from './recovery-codes.js';

describe('recovery codes', () => {
  it('makes ten distinct codes of 16 base32 characters in groups of four', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
  });

  it('normalizes case and separators, and rejects anything else', () => {
    expect(normalizeRecoveryCode('ABCD-efgh ijkl-mnop')).toBe('abcdefghijklmnop');
    expect(normalizeRecoveryCode('123456')).toBeNull();
    expect(normalizeRecoveryCode('abcd-efgh-ijkl-mno1')).toBeNull();
  });

  it('hashes so that the code itself is not stored', () => {
    const hash = hashRecoveryCode('abcdefghijklmnop');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain('abcdefghijklmnop');
  });
});

import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy } from './password-policy.js';

const EMAIL = 'Ada.Lovelace@example.com';

function refusal(password: string, email = EMAIL): { code: string; message: string } | null {
  try {
    checkPasswordPolicy(password, email);
    return null;
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
}

describe('the password policy (NIST SP 800-63B 5.1.1.2)', () => {
  it('counts characters, not UTF-16 units: 8 to 128', () => {
    expect(refusal('😀😀😀😀')?.code).toBe('WEAK_PASSWORD');
    expect(refusal('😀🐢😀🐢😀🐢😀🦊')).toBeNull();
    expect(refusal('x'.repeat(60) + 'y'.repeat(68))).toBeNull();
    expect(refusal('x'.repeat(60) + 'y'.repeat(69))?.code).toBe('WEAK_PASSWORD');
  });

  it('refuses commonly used passwords whatever their case, and says why', () => {
    // The last is fullwidth: NFKC folds it to "Password1".
    for (const common of ['password1', 'PASSWORD1', 'qwertyuiop', 'Football', 'iloveyou2', 'Ｐａｓｓｗｏｒｄ１']) {
      expect(refusal(common)).toEqual({
        code: 'GUESSABLE_PASSWORD',
        message: 'This password is on a list of commonly used passwords; choose another',
      });
    }
  });

  it('refuses one repeated character and simple sequences, up or down', () => {
    for (const pattern of ['zzzzzzzzzz', 'bcdefghij', 'JIHGFEDCB', '3456789:', '!!!!!!!!!']) {
      expect(refusal(pattern)?.message).toBe('A password must not be one repeated character or a simple sequence');
    }
    expect(refusal('abcdefgi')).toBeNull();
  });

  it('refuses the e-mail address or its name part, in any case', () => {
    for (const own of ['ada.lovelace@example.com', 'ADA.LOVELACE'])
      expect(refusal(own)?.message).toBe('A password must not be your e-mail address');
    expect(refusal('ada.lovelace rides again')).toBeNull();
    expect(refusal('ada.lovelace', 'someone.else@example.com')).toBeNull();
  });

  it('accepts a long passphrase with no composition rules', () => {
    expect(refusal('correct horse battery')).toBeNull();
  });
});

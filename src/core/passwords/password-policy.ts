import { dictionary } from '@zxcvbn-ts/language-common';
import { AuthError } from '../errors.js';
import { normalizePassword } from './password-check.js';

// NIST SP 800-63B section 5.1.1.2: at least 8 characters, and allow at least 64.
const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_LENGTH = 128;

// Built on first use: about 49,000 entries, kept lower-cased for a case-insensitive match.
let commonPasswords: Set<string> | undefined;

function isCommon(lowered: string): boolean {
  commonPasswords ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return commonPasswords.has(lowered);
}

/** One character repeated, or a run of consecutive characters up or down ("abcdefgh", "98765432"). */
function isRepeatedOrSequential(chars: string[]): boolean {
  const steps = new Set(chars.slice(1).map((c, i) => c.codePointAt(0)! - chars[i]!.codePointAt(0)!));
  return steps.size === 1 && [0, 1, -1].includes([...steps][0]!);
}

/**
 * The rules for a password being chosen (sign-up, change, reset), per NIST SP 800-63B section
 * 5.1.1.2: 8 to 128 characters (code points, not UTF-16 units), not a commonly used or breached
 * password (the common-password list of zxcvbn-ts), not one repeated character or a simple
 * sequence, and not the account's e-mail address or its name part, each compared after NFKC and
 * lower-casing. Each refusal says why. Length is counted in the NFKC form, the one that is hashed.
 * Composition rules (a digit, a symbol) are deliberately absent: NIST advises against them.
 */
export function checkPasswordPolicy(password: string, email: string): void {
  // Compatibility forms fold first, so fullwidth or ligature spellings of a listed password match it.
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) throw new AuthError('WEAK_PASSWORD');
  const lowered = normalized.toLowerCase();
  const chars = [...lowered];
  if (isCommon(lowered)) {
    throw new AuthError('GUESSABLE_PASSWORD', {
      message: 'This password is on a list of commonly used passwords; choose another',
    });
  }
  if (isRepeatedOrSequential(chars)) {
    throw new AuthError('GUESSABLE_PASSWORD', {
      message: 'A password must not be one repeated character or a simple sequence',
    });
  }
  const address = email.trim().normalize('NFKC').toLowerCase();
  if (lowered === address || lowered === address.split('@')[0]) {
    throw new AuthError('GUESSABLE_PASSWORD', { message: 'A password must not be your e-mail address' });
  }
}

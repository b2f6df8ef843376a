import type { User } from '../../store/user-store.js';
import type { Core } from '../core.js';

/**
 * The form a password is hashed and compared in: Unicode NFKC (NIST SP 800-63B section 5.1.1.2),
 * so the same text typed on another keyboard or system (NFD from macOS, fullwidth forms) matches.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Hashes the normalized form of a chosen password. */
export function hashPassword(core: Core, password: string): Promise<string> {
  return core.passwords.hash(normalizePassword(password));
}

/**
 * Whether `password` is the user's (with no user, a dummy hash is checked, so both take as long).
 * Hashes written before passwords were normalized hold the text as typed: that form is tried
 * second, and only when it differs, on both paths alike.
 */
async function matches(
  core: Core,
  passwordHash: string | undefined,
  password: string,
): Promise<'normalized' | 'as typed' | false> {
  const normalized = normalizePassword(password);
  if (await core.passwords.verify(passwordHash, normalized)) return 'normalized';
  if (normalized !== password && (await core.passwords.verify(passwordHash, password))) return 'as typed';
  return false;
}

/** Whether `password` is the signed-in user's own (a confirmation before a sensitive change). */
export async function isUserPassword(core: Core, user: User, password: string): Promise<boolean> {
  return (await matches(core, user.passwordHash, password)) !== false;
}

/**
 * A login's password check: the user as now stored when `password` is theirs, else null. A hash of
 * the un-normalized form is replaced by one of the normalized form, so later logins need one verify.
 */
export async function checkLoginPassword(core: Core, user: User | null, password: string): Promise<User | null> {
  const match = await matches(core, user?.passwordHash, password);
  if (!user || !match) return null;
  if (match === 'normalized') return user;
  const upgraded = await hashPassword(core, password);
  // A compare-and-set: a password change landing meanwhile wins, and this login then fails later.
  return (await core.stores.users.upgradePasswordHash(user.id, user.passwordHash, upgraded, core.clock()))
    ? { ...user, passwordHash: upgraded }
    : user;
}

import type { User } from '../../store/user-store.js';

/**
 * Whether the account can sign in with a password. An account without one stores an empty hash;
 * none exists yet (sign-up and `user create` always set a password), but the rule that an
 * account keeps a way to sign in is enforced for when one does.
 */
export function hasPassword(user: Pick<User, 'passwordHash'>): boolean {
  return user.passwordHash !== '';
}

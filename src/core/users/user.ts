import type { Role, User } from '../../store/user-store.js';
import { AuthError } from '../errors.js';

export type { Role, User };

/** The roles, from least to most privileged. */
export const ROLES = ['USER', 'ADMIN'] as const satisfies readonly Role[];
// Fails to compile when the store gains a role that is missing here.
const EVERY_ROLE_RANKED: Exclude<Role, (typeof ROLES)[number]> extends never ? true : never = true;
void EVERY_ROLE_RANKED;

/** E-mail addresses are unique case-insensitively: this is the form they are stored and compared in. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** What the API shows of a user. */
export interface PublicUser {
  id: string;
  email: string;
  role: Role;
  plan: string;
}

export function publicUser(user: User): PublicUser {
  return { id: user.id, email: user.email, role: user.role, plan: user.plan };
}

/** The role as stored (upper case); VALIDATION_FAILED when there is no such role. `field` names the input in the message. */
export function checkRole(role: string, field = 'role'): Role {
  const name = role.trim().toUpperCase();
  if (!ROLES.includes(name as Role))
    throw new AuthError('VALIDATION_FAILED', { message: `${field}: expected one of ${ROLES.join(', ')}` });
  return name as Role;
}

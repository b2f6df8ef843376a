import type { RequestContext } from './audit.js';
import type { Core } from './core.js';
import { AuthError } from './errors.js';
import { confirmPassword, revokeAllSessionsOf } from './sessions.js';
import { callerUser, checkPasswordPolicy } from './users.js';

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  /** Whether every other session is signed out (OWASP ASVS 3.3.3 asks for the option). */
  revokeOtherSessions: boolean;
}

/**
 * Changes the caller's password once the current one checks out, under the same IP limit and
 * lockout as login, so a stolen access token can neither guess it nor lock the owner out for
 * good. The caller's own session stays signed in; personal access tokens and API keys stay valid
 * (they are revoked one by one, as at GitHub). Returns how many other sessions were signed out.
 */
export async function changePassword(
  core: Core,
  caller: { userId: string; sessionId: string },
  input: PasswordChange,
  ctx: RequestContext,
): Promise<number> {
  // Checked first: a refused new password must not spend an attempt or reveal the current one.
  checkPasswordPolicy(input.newPassword);
  const user = await callerUser(core, caller.userId);
  await confirmPassword(core, user, input.currentPassword, ctx);
  await core.stores.users.setPasswordHash(user.id, await core.passwords.hash(input.newPassword), core.clock());
  const revoked = input.revokeOtherSessions ? await revokeAllSessionsOf(core, user.id, caller.sessionId) : [];
  await core.audit.record('password_changed', ctx, user.id, { otherSessionsRevoked: revoked.length });
  return revoked.length;
}

/**
 * An operator's reset (`latchkey user set-password`), for a user who forgot the password: every
 * session is signed out, since whoever holds one may be the reason for the reset, and a lockout
 * ends. Returns how many sessions were signed out.
 */
export async function resetPassword(core: Core, email: string, newPassword: string, ctx: RequestContext): Promise<{ userId: string; revoked: number }> {
  checkPasswordPolicy(newPassword);
  const user = await core.stores.users.findByEmail(email);
  if (!user) throw new AuthError('NOT_FOUND', { message: `no user with email ${email}` });
  await core.stores.users.setPasswordHash(user.id, await core.passwords.hash(newPassword), core.clock());
  const revoked = await revokeAllSessionsOf(core, user.id);
  await core.limits.clearFailures(user.email);
  await core.audit.record('password_reset', ctx, user.id, { sessionsRevoked: revoked.length });
  return { userId: user.id, revoked: revoked.length };
}

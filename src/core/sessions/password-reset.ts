import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { hashPassword } from '../passwords/password-check.js';
import { checkPasswordPolicy } from '../passwords/password-policy.js';
import { forgetSessionTokens } from './sessions.js';
import { notify } from '../email/outgoing.js';

/**
 * An operator's reset (`latchkey user set-password`) for a user who forgot the password: every
 * session and pending login ends, and so do password and 2FA lockouts. Personal access tokens and
 * API keys stay; `latchkey user disable` ends those too. Returns how many sessions ended.
 */
export async function resetPassword(
  core: Core,
  userId: string,
  newPassword: string,
  ctx: RequestContext,
): Promise<number> {
  const current = async () => {
    const user = await core.stores.users.findById(userId);
    if (!user) throw new AuthError('NOT_FOUND', { message: `no user ${userId}` });
    return user;
  };
  let user = await current();
  checkPasswordPolicy(newPassword, user.email);
  const newHash = await hashPassword(core, newPassword);
  let ended = await core.stores.users.replacePassword(user.id, user.passwordHash, newHash, core.clock());
  // The operator's word is final: a change the user made meanwhile is overwritten, not a conflict.
  while (!ended) {
    user = await current();
    ended = await core.stores.users.replacePassword(user.id, user.passwordHash, newHash, core.clock());
  }
  await forgetSessionTokens(core, ended, core.clock());
  await core.limits.unlock(user);
  await core.audit.record('password_reset', ctx, user.id, { sessionsRevoked: ended.length });
  notify(core, user, 'password', 'password-changed');
  return ended.length;
}

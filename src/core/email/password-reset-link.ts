import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { hashPassword } from '../passwords/password-check.js';
import { checkPasswordPolicy } from '../passwords/password-policy.js';
import { forgetSessionTokens } from '../sessions/sessions.js';
import { confirmSecondFactor } from '../two-factor/two-factor.js';
import { normalizeEmail } from '../users/user.js';
import { findEmailToken, issueEmailLink, spendEmailToken } from './email-tokens.js';
import { mail, mayMail, notify, requireEmail } from './outgoing.js';

/**
 * "Forgot password": mails a reset link if an account uses `email`. Everything that depends on the
 * account happens after the answer (in the mailer's preparation), so the answer is the same, in the
 * same time, whether or not it exists, and whether or not a limit refused the mail.
 */
export function requestPasswordReset(core: Core, email: string, ctx: RequestContext): void {
  requireEmail(core);
  mailResetLink(core, email, ctx, 'reset-password');
}

/**
 * Mails the account using `email`, if there is one, a reset link in `template` (after the
 * caller's answer, within the mail limits).
 */
export function mailResetLink(
  core: Core,
  email: string,
  ctx: RequestContext,
  template: 'reset-password' | 'sign-up-attempt',
): void {
  core.mailer.send(async () => {
    if (!(await mayMail(core, email, ctx))) return null;
    const user = await core.stores.users.findByEmail(normalizeEmail(email));
    if (!user || user.disabledAt !== null) return null;
    return mail(core, user.email, template, await issueEmailLink(core, user, 'password-reset', user.email));
  });
}

export interface PasswordResetByLink {
  token: string;
  password: string;
  /** A current TOTP or recovery code; required when the account has 2FA on. */
  code?: string | undefined;
}

/**
 * Sets a new password from a reset link: every session and pending login ends, the password and 2FA
 * lockouts are cleared, and a notice is mailed. The link works once, and dies when the password
 * or address changes another way. With 2FA on a code is needed too, so a mailbox alone is not
 * enough to take the account.
 */
export async function resetPasswordByLink(core: Core, input: PasswordResetByLink, ctx: RequestContext): Promise<void> {
  requireEmail(core);
  const found = await findEmailToken(core, input.token, 'password-reset');
  const { user } = found;
  checkPasswordPolicy(input.password, user.email);
  await confirmSecondFactor(core, user, input.code, ctx);
  const newHash = await hashPassword(core, input.password);
  await spendEmailToken(core, found);
  const now = core.clock();
  const ended = await core.stores.users.replacePassword(user.id, user.passwordHash, newHash, now);
  // The password changed between the check and here: the link was bound to the old one.
  if (!ended) throw new AuthError('INVALID_EMAIL_TOKEN');
  await forgetSessionTokens(core, ended, now);
  await core.limits.unlock(user);
  await core.audit.record('password_reset', ctx, user.id, { sessionsRevoked: ended.length, by: 'email link' });
  notify(core, user, 'password', 'password-changed');
}

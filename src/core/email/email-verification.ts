import type { User } from '../../store/user-store.js';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { normalizeEmail } from '../users/user.js';
import { findEmailToken, issueEmailLink, spendEmailToken } from './email-tokens.js';
import { mail, mayMail, requireEmail } from './outgoing.js';

async function verificationMail(core: Core, user: User) {
  return mail(core, user.email, 'verify-email', await issueEmailLink(core, user, 'email-verification', user.email));
}

/** Mails `user` a verification link (after the caller's answer), within the mail limits. */
export function sendVerificationLink(core: Core, user: User, ctx: RequestContext): void {
  if (!core.config.email) return;
  core.mailer.send(async () => {
    if (!(await mayMail(core, user.email, ctx))) return null;
    return verificationMail(core, user);
  });
}

/**
 * Mails a new verification link to the caller, or (without a session: an account that may not sign
 * in before it is verified) to the account using `email`. Answered the same whether or not there is
 * such an account, it is verified already, or a limit refused the mail.
 */
export function resendVerificationLink(
  core: Core,
  who: { userId: string } | { email: string },
  ctx: RequestContext,
): void {
  requireEmail(core);
  core.mailer.send(async () => {
    const user =
      'userId' in who
        ? await core.stores.users.findById(who.userId)
        : await core.stores.users.findByEmail(normalizeEmail(who.email));
    if (!(await mayMail(core, user?.email ?? ('email' in who ? who.email : ''), ctx))) return null;
    if (!user || user.disabledAt !== null || user.emailVerifiedAt !== null) return null;
    return verificationMail(core, user);
  });
}

/** Marks the address verified from a verification link; returns the account. */
export async function verifyEmail(core: Core, token: string, ctx: RequestContext): Promise<User> {
  requireEmail(core);
  const found = await findEmailToken(core, token, 'email-verification');
  await spendEmailToken(core, found);
  const now = core.clock();
  if (!(await core.stores.users.markEmailVerified(found.user.id, normalizeEmail(found.stored.email), now)))
    throw new AuthError('INVALID_EMAIL_TOKEN');
  await core.audit.record('email_verified', ctx, found.user.id);
  return { ...found.user, emailVerifiedAt: found.user.emailVerifiedAt ?? now };
}

import type { User } from '../../store/user-store.js';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { confirmPassword } from '../sessions/sessions.js';
import { callerUser, checkEmailAddress } from '../users/users.js';
import { normalizeEmail } from '../users/user.js';
import { findEmailToken, issueEmailLink, spendEmailToken } from './email-tokens.js';
import { mail, mayMail, notify, requireEmail } from './outgoing.js';

/**
 * Starts an address change for the caller (a recent login, checked by the route, and the password
 * again): a confirmation link to the new address and a notice to the old one. The address changes
 * only when the link is used. The answer does not say whether another account uses the new address.
 */
export async function requestEmailChange(
  core: Core,
  callerId: string,
  input: { newEmail: string; password: string },
  ctx: RequestContext,
): Promise<void> {
  requireEmail(core);
  checkEmailAddress(input.newEmail, 'newEmail');
  const user = await callerUser(core, callerId);
  await confirmPassword(core, user, input.password, ctx);
  const newEmail = input.newEmail.trim();
  if (normalizeEmail(newEmail) === normalizeEmail(user.email))
    throw new AuthError('VALIDATION_FAILED', { message: 'newEmail: is already the account’s address' });
  await core.audit.record('email_change_requested', ctx, user.id);
  core.mailer.send(async () => {
    if (!(await mayMail(core, newEmail, ctx))) return null;
    const link = await issueEmailLink(core, user, 'email-change', newEmail);
    return mail(core, newEmail, 'confirm-email', { ...link, old_email: user.email, new_email: newEmail });
  });
  // Always: the old address is where a stolen session's attempt gets noticed.
  core.mailer.send(async () => mail(core, user.email, 'email-change-requested', { new_email: newEmail }));
}

/**
 * Confirms an address change from its link: the account takes the new address, verified. The link
 * dies when the address or password changed since it was made; EMAIL_TAKEN when another account
 * took the address meanwhile (only the new address's owner holds the link).
 */
export async function confirmEmailChange(core: Core, token: string, ctx: RequestContext): Promise<User> {
  requireEmail(core);
  const found = await findEmailToken(core, token, 'email-change');
  const { user, stored } = found;
  await spendEmailToken(core, found);
  const now = core.clock();
  const outcome = await core.stores.users.changeEmail(
    user.id,
    { normalizedEmail: normalizeEmail(user.email), passwordHash: user.passwordHash },
    stored.email,
    normalizeEmail(stored.email),
    now,
  );
  if (outcome === 'taken') throw new AuthError('EMAIL_TAKEN');
  if (outcome === 'stale') throw new AuthError('INVALID_EMAIL_TOKEN');
  await core.audit.record('email_changed', ctx, user.id);
  notify(core, user, 'email', 'email-changed', { new_email: stored.email });
  return { ...user, email: stored.email, emailVerifiedAt: now };
}

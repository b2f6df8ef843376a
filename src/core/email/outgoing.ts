import type { SecurityNotice } from '../../config/index.js';
import type { User } from '../../store/user-store.js';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { sha256Hex } from '../digests.js';
import { AuthError } from '../errors.js';
import { rateLimitSubject } from '../limits/rate-limit-subject.js';
import { normalizeEmail } from '../users/user.js';
import type { Mail, MailTemplate } from './mailer.js';

/** EMAIL_DISABLED unless e-mail is on: the e-mail routes do not exist with EMAIL=off. */
export function requireEmail(core: Core): void {
  if (!core.config.email) throw new AuthError('EMAIL_DISABLED');
}

/**
 * Takes one mail from the client IP's and the address's budgets (both, always, so a refusal costs
 * what a success does); false when either is spent. The address is counted by its digest.
 */
export async function mayMail(core: Core, address: string, ctx: RequestContext): Promise<boolean> {
  const ip = await core.mailIpLimiter.consume(rateLimitSubject(ctx.ip, core.config.loginRateLimitIpv6Prefix));
  const to = await core.mailAddressLimiter.consume(sha256Hex(normalizeEmail(address)));
  return ip.allowed && to.allowed;
}

/** The values every template may use. */
export function commonValues(core: Core, email: string): Record<string, string> {
  return {
    product: core.config.productName,
    email,
    sign_in_url: `${core.config.publicUrl}/login`,
    forgot_url: `${core.config.publicUrl}/forgot-password`,
  };
}

/** A mail to `to` with the common values and `values`. */
export function mail(core: Core, to: string, template: MailTemplate, values: Record<string, string> = {}): Mail {
  return { to, template, values: { ...commonValues(core, to), ...values } };
}

/**
 * Mails `user` a security notice when e-mail is on and SECURITY_NOTICES includes `notice`. Not
 * rate-limited: each follows an action on the account itself.
 */
export function notify(
  core: Core,
  user: Pick<User, 'email'>,
  notice: SecurityNotice,
  template: MailTemplate,
  values: Record<string, string> = {},
): void {
  if (!core.config.email || !core.config.securityNotices.includes(notice)) return;
  core.mailer.send(async () => mail(core, user.email, template, values));
}

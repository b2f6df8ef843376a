import type { User } from '../../store/user-store.js';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { sendVerificationLink } from '../email/email-verification.js';
import { mailResetLink } from '../email/password-reset-link.js';
import { AuthError } from '../errors.js';
import { randomId } from '../ids.js';
import { publicUser, type PublicUser } from '../users/user.js';
import { registerUser } from '../users/users.js';
import { startSession, type IssuedTokens, type RefreshPolicy } from './sessions.js';

/**
 * A sign-up's answer: a session, or (EMAIL_VERIFICATION=required) the account waiting for its
 * verification link, which is also the answer for an address that has an account already.
 */
export type SignUpOutcome =
  | { kind: 'session'; tokens: IssuedTokens }
  | { kind: 'verification-required'; user: PublicUser & { emailVerified: false } };

/**
 * Self sign-up: registers the user and signs it in at once, mailing a verification link when
 * e-mail is on. A taken address mails its owner a notice (sign-in and reset links); then the
 * answer is EMAIL_TAKEN (the documented contract) unless verification is required, where it is
 * the same as for a new account: same status, shape and work (the password is hashed either way).
 */
export async function signUp(
  core: Core,
  input: { email: string; password: string },
  ctx: RequestContext,
  policy: RefreshPolicy,
): Promise<SignUpOutcome> {
  return core.hashing.run(async () => {
    const required = core.config.emailVerification === 'required';
    let created: User;
    try {
      created = await registerUser(core, input, ctx);
    } catch (error) {
      if (!(error instanceof AuthError && error.code === 'EMAIL_TAKEN') || !core.config.email) throw error;
      await core.audit.record('sign_up_existing_email', ctx, null);
      // The owner hears of it: a notice with sign-in and reset links.
      mailResetLink(core, input.email, ctx, 'sign-up-attempt');
      if (!required) throw error;
      // Looks like a new account's answer; the id is made up and stored nowhere.
      const standIn: PublicUser = {
        id: randomId('user'),
        email: input.email.trim(),
        role: 'USER',
        plan: core.config.plans[0]!,
      };
      return { kind: 'verification-required', user: { ...standIn, emailVerified: false } };
    }
    sendVerificationLink(core, created, ctx);
    if (required) return { kind: 'verification-required', user: { ...publicUser(created), emailVerified: false } };
    return { kind: 'session', tokens: await startSession(core, created, ctx, policy) };
  });
}

import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import {
  forgetSessionTokens,
  replacementPolicy,
  startSession,
  type IssuedTokens,
  type RefreshPolicy,
} from './sessions.js';
import { confirmIdentity } from '../two-factor/two-factor.js';
import { hashPassword, normalizePassword } from '../passwords/password-check.js';
import { checkPasswordPolicy } from '../passwords/password-policy.js';
import { callerUser } from '../users/users.js';
import { notify } from '../email/outgoing.js';

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  /** A current TOTP or recovery code; required when the account has 2FA on. */
  code?: string | undefined;
  /** Whether every other session is signed out too (OWASP ASVS 3.3.3 asks for the option). */
  revokeOtherSessions: boolean;
}

export interface ChangedPassword {
  /** The caller's new session, which replaces the one the change was made with. */
  tokens: IssuedTokens;
  otherSessionsRevoked: number;
}

/**
 * Changes the caller's password after a full re-authentication: the current password, under the
 * same IP limit and lockout as login (a stolen access token can neither guess it nor lock the
 * owner out for good), and a second-factor code when 2FA is on.
 *
 * The caller's session is replaced by a new one (OWASP: renew the session on a password change),
 * so a refresh token stolen from it stops working too; other sessions end unless the caller keeps
 * them; logins part-way through (a pending second step) end always. Personal access tokens and API
 * keys stay valid, as at GitHub: they are revoked one by one.
 */
export async function changePassword(
  core: Core,
  caller: { userId: string; sessionId: string },
  input: PasswordChange,
  ctx: RequestContext,
  policy: RefreshPolicy,
): Promise<ChangedPassword> {
  return core.hashing.run(async () => {
    const user = await callerUser(core, caller.userId);
    // Checked first: a refused new password must not spend an attempt or reveal the current one.
    checkPasswordPolicy(input.newPassword, user.email);
    // Both come from the request: comparing them tells nothing about the stored password.
    if (normalizePassword(input.newPassword) === normalizePassword(input.currentPassword))
      throw new AuthError('PASSWORD_UNCHANGED');
    await confirmIdentity(core, user, { password: input.currentPassword, code: input.code }, ctx);
    const newHash = await hashPassword(core, input.newPassword);
    const renewal = await replacementPolicy(core, caller.sessionId, policy);
    const now = core.clock();
    const ended = await core.stores.users.replacePassword(
      user.id,
      user.passwordHash,
      newHash,
      now,
      input.revokeOtherSessions ? undefined : caller.sessionId,
    );
    if (!ended) throw new AuthError('PASSWORD_CHANGE_CONFLICT');
    // First, whatever happens next: the ended sessions' access tokens must stop at once.
    await forgetSessionTokens(core, ended, now);
    // The caller's replacement. Only a change, reset or disable landing since the line above stops it
    // (the login lock sees it); the caller then signs in again, told why rather than "wrong password".
    const tokens = await startSession(core, { ...user, passwordHash: newHash }, ctx, renewal).catch(
      (error: unknown) => {
        throw error instanceof AuthError && error.code === 'INVALID_CREDENTIALS'
          ? new AuthError('PASSWORD_CHANGE_CONFLICT')
          : error;
      },
    );
    const otherSessionsRevoked = ended.filter((id) => id !== caller.sessionId).length;
    await core.audit.record('password_changed', ctx, user.id, { otherSessionsRevoked, sessionId: tokens.sessionId });
    notify(core, user, 'password', 'password-changed');
    return { tokens, otherSessionsRevoked };
  });
}

import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { replacementPolicy, revokeSessions, startSession, type IssuedTokens, type RefreshPolicy } from './sessions.js';
import { confirmIdentity } from '../two-factor/two-factor.js';
import { callerUser } from '../users/users.js';

/**
 * Step-up authentication (RFC 9470): the caller proves the password again, and a code when 2FA is
 * on, without signing out. A new session with a fresh login time replaces the caller's, so the
 * actions that answer RECENT_LOGIN_REQUIRED go through. The password is checked under the login
 * IP limit and lockout, like every password check.
 */
export async function reauthenticate(
  core: Core,
  caller: { userId: string; sessionId: string },
  input: { password: string; code?: string | undefined },
  ctx: RequestContext,
  policy: RefreshPolicy,
): Promise<IssuedTokens> {
  return core.hashing.run(async () => {
    const user = await callerUser(core, caller.userId);
    await confirmIdentity(core, user, input, ctx);
    // The new session first: should it fail, the caller keeps the old one.
    const tokens = await startSession(core, user, ctx, await replacementPolicy(core, caller.sessionId, policy));
    await revokeSessions(core, [caller.sessionId]);
    await core.audit.record('reauthenticated', ctx, user.id, {
      sessionId: tokens.sessionId,
      replacedSessionId: caller.sessionId,
    });
    return tokens;
  });
}

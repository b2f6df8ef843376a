import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { replacementPolicy, revokeSessions, startSession, type IssuedTokens, type RefreshPolicy } from './sessions.js';
import { confirmIdentity } from '../two-factor/two-factor.js';
import { callerUser } from '../users/users.js';
import type { AuthenticationResponseJSON } from '../passkeys/assertion.js';
import { confirmPasskey } from '../passkeys/passkey-confirmation.js';

/** What proves the caller again: the password (and a code with 2FA on), or one of the user's passkeys. */
export type StepUpProof =
  | { password: string; code?: string | undefined }
  | { passkeyResponse: AuthenticationResponseJSON };

/**
 * Step-up authentication (RFC 9470): the caller proves the password again, and a code when 2FA is
 * on, or uses a passkey (with user verification, it stands for both), without signing out. A new session with a fresh login time replaces the caller's, so the
 * actions that answer RECENT_LOGIN_REQUIRED go through. The password is checked under the login
 * IP limit and lockout, like every password check.
 */
export async function reauthenticate(
  core: Core,
  caller: { userId: string; sessionId: string },
  input: StepUpProof,
  ctx: RequestContext,
  policy: RefreshPolicy,
): Promise<IssuedTokens> {
  // A passkey costs no password hash, so only the password proof waits in the hash queue.
  const prove = async () => {
    const user = await callerUser(core, caller.userId);
    if ('passkeyResponse' in input) await confirmPasskey(core, user, input.passkeyResponse, ctx);
    else await confirmIdentity(core, user, input, ctx);
    // The new session first: should it fail, the caller keeps the old one.
    const tokens = await startSession(core, user, ctx, await replacementPolicy(core, caller.sessionId, policy));
    await revokeSessions(core, [caller.sessionId]);
    await core.audit.record('reauthenticated', ctx, user.id, {
      sessionId: tokens.sessionId,
      replacedSessionId: caller.sessionId,
    });
    return tokens;
  };
  return 'passkeyResponse' in input ? prove() : core.hashing.run(prove);
}

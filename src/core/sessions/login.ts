import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { checkCredentials, startSession, type IssuedTokens, type LoginInput, type RefreshPolicy } from './sessions.js';
import { isTwoFactorEnabled, issuePendingLogin } from '../two-factor/two-factor.js';

export type LoginOutcome = { kind: 'session'; tokens: IssuedTokens } | { kind: 'second-factor'; pendingToken: string };

/** Password login: a session, or (with 2FA on) a pending token for the second step and no session yet. */
export async function login(
  core: Core,
  input: LoginInput,
  ctx: RequestContext,
  policy: RefreshPolicy,
): Promise<LoginOutcome> {
  return core.hashing.run(async () => {
    const user = await checkCredentials(core, input, ctx);
    if (await isTwoFactorEnabled(core, user.id))
      return { kind: 'second-factor', pendingToken: await issuePendingLogin(core, user) };
    return { kind: 'session', tokens: await startSession(core, user, ctx, policy) };
  });
}

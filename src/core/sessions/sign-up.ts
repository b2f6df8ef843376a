import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { registerUser } from '../users/users.js';
import { startSession, type IssuedTokens, type RefreshPolicy } from './sessions.js';

/** Self sign-up: registers the user and signs it in at once. */
export async function signUp(
  core: Core,
  input: { email: string; password: string },
  ctx: RequestContext,
  policy: RefreshPolicy,
): Promise<IssuedTokens> {
  return core.hashing.run(async () => {
    const created = await registerUser(core, input, ctx);
    return startSession(core, created, ctx, policy);
  });
}

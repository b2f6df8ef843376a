import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { forgetSessionTokens } from './sessions.js';

export interface RestoreOutcome {
  sessionsEnded: number;
  keysReplaced: number;
}

/**
 * Run once a database was restored from a backup, before any instance serves it. What happened
 * after the backup is lost, revocations included: a session logged out since is live again in the
 * restored rows. So nothing signed before the restore is trusted: every session ends, and every
 * signing key is replaced, which leaves every access, refresh and pending token issued before
 * verifying against no key. The sessions' revocations also reach resource servers through the feed.
 */
export async function distrustTokensBeforeRestore(core: Core, ctx: RequestContext): Promise<RestoreOutcome> {
  const now = core.clock();
  const ended = await core.stores.sessions.revokeAllSessions(now);
  await forgetSessionTokens(core, ended, now);
  const keysReplaced = await core.stores.signingKeys.deleteAll();
  await core.keys.start();
  const outcome = { sessionsEnded: ended.length, keysReplaced };
  await core.audit.record('database_restored', ctx, null, { ...outcome });
  return outcome;
}

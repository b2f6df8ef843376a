import type { Session } from '../../store/session-store.js';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { revokeAllSessionsOf, revokeSessions } from './sessions.js';

/** A live session, marked when it is the one the caller is using. */
export type ListedSession = Session & { current: boolean };

/** The caller's live sessions (the devices signed in), for a "sessions" page. */
export async function listSessions(
  core: Core,
  caller: { userId: string; sessionId: string },
): Promise<ListedSession[]> {
  const sessions = await core.stores.sessions.listLiveSessions(caller.userId, core.clock());
  return sessions.map((session) => ({ ...session, current: session.id === caller.sessionId }));
}

/** Signs one of the user's sessions out everywhere at once; another user's id is "not found". */
export async function revokeUserSession(
  core: Core,
  userId: string,
  sessionId: string,
  ctx: RequestContext,
): Promise<void> {
  const session = await core.stores.sessions.findSession(sessionId);
  if (!session || session.userId !== userId || session.revokedAt !== null)
    throw new AuthError('NOT_FOUND', { message: 'Session not found' });
  await revokeSessions(core, [sessionId]);
  await core.audit.record('session_revoked', ctx, userId, { sessionId });
}

/** Signs the user out of every session, the caller's included; returns how many were live. */
export async function revokeAllUserSessions(core: Core, userId: string, ctx: RequestContext): Promise<number> {
  const sessionIds = await revokeAllSessionsOf(core, userId);
  await core.audit.record('session_revoked', ctx, userId, { sessionIds, all: true });
  return sessionIds.length;
}

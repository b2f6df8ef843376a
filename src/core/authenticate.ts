import type { Role } from '../store/user-store.js';
import type { Core } from './core.js';
import { AuthError } from './errors.js';

/** Who is calling, as established by the guard. */
export interface SessionPrincipal {
  kind: 'session';
  userId: string;
  role: Role;
  plan: string;
  sessionId: string;
  jti: string;
}

export type Principal = SessionPrincipal;

/** Verifies a bearer access token and checks the denylist (on every request, never cached). */
export async function authenticateBearer(core: Core, token: string): Promise<Principal> {
  const verified = await core.tokens.verifyAccess(token);
  if (!verified.ok) throw new AuthError(verified.code, verified.message ? { message: verified.message } : {});
  const { sub, sid, jti, role, plan } = verified.claims;
  if (await core.denylist.isRevoked(jti, sid)) throw new AuthError('TOKEN_REVOKED');
  return { kind: 'session', userId: sub, role, plan, sessionId: sid, jti };
}

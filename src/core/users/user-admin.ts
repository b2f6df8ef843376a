import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { CREDENTIAL_CACHE_TTL_MS } from '../credentials/credential-cache.js';
import { forgetCredentials } from '../credentials/credentials.js';
import { denyKey } from '../revocation/denylist.js';
import { AuthError } from '../errors.js';
import { revokeAllSessionsOf } from '../sessions/sessions.js';
import { isTwoFactorEnabled } from '../two-factor/two-factor.js';
import { ROLES, type Role, type User } from './user.js';
import { checkPlan } from './users.js';

/** What an operator sees of one user: never a hash or a secret. */
export interface UserDetails {
  id: string;
  email: string;
  role: Role;
  plan: string;
  createdAt: number;
  disabledAt: number | null;
  emailVerified: boolean;
  twoFactorEnabled: boolean;
  liveSessions: number;
  personalAccessTokens: {
    id: string;
    name: string;
    prefix: string;
    role: Role;
    createdAt: number;
    lastUsedAt: number | null;
  }[];
  hasIngestKey: boolean;
  passkeys: { id: string; name: string; backedUp: boolean; createdAt: number; lastUsedAt: number | null }[];
}

/** A revoked credential as reported to the operator: its name and display prefix, never the secret. */
export interface RevokedCredential {
  id: string;
  name: string;
  prefix: string;
  role: Role;
}

export interface RoleChange {
  previousRole: Role;
  role: Role;
  /** Personal access tokens created under a higher role than the new one, now revoked. */
  revokedTokens: RevokedCredential[];
  /** Sessions ended because their access tokens carry the old, higher role. */
  sessionsEnded: number;
}

/** Every user, oldest first. */
export function listUsers(core: Core): Promise<User[]> {
  return core.stores.users.list();
}

/** The roles ranked above `role` (ROLES is ordered from least to most privileged). */
function rolesAbove(role: Role): Role[] {
  return ROLES.slice(ROLES.indexOf(role) + 1);
}

export async function describeUser(core: Core, user: User): Promise<UserDetails> {
  const [twoFactorEnabled, sessions, pats, ingestKeys, passkeys] = await Promise.all([
    isTwoFactorEnabled(core, user.id),
    core.stores.sessions.listLiveSessions(user.id, core.clock()),
    core.stores.credentials.listActive(user.id, 'pat'),
    core.stores.credentials.listActive(user.id, 'ingest'),
    core.stores.passkeys.listByUser(user.id),
  ]);
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    plan: user.plan,
    createdAt: user.createdAt,
    disabledAt: user.disabledAt,
    emailVerified: user.emailVerifiedAt !== null,
    twoFactorEnabled,
    liveSessions: sessions.length,
    personalAccessTokens: pats.map((t) => ({
      id: t.id,
      name: t.name,
      prefix: t.prefix,
      role: t.role,
      createdAt: t.createdAt,
      lastUsedAt: t.lastUsedAt,
    })),
    hasIngestKey: ingestKeys.length > 0,
    passkeys: passkeys.map((p) => ({
      id: p.id,
      name: p.name,
      backedUp: p.backedUp,
      createdAt: p.createdAt,
      lastUsedAt: p.lastUsedAt,
    })),
  };
}

/**
 * Sets a user's role. A personal access token keeps the role it was created under (akol-auth), so
 * on a demotion the tokens created under a higher role are revoked at once, or they would keep
 * privileges the account lost. The user's sessions end too: their access tokens carry the old
 * role until they expire.
 */
export async function setUserRole(core: Core, userId: string, role: Role, ctx: RequestContext): Promise<RoleChange> {
  const now = core.clock();
  // Revoked in the store's transaction with the role change: a token created meanwhile either
  // lands before it (and is revoked) or after it (and carries the new role).
  const changed = await core.stores.users.setRole(userId, role, now, rolesAbove(role));
  if (!changed) throw new AuthError('NOT_FOUND', { message: `no user ${userId}` });
  const { before } = changed;
  const lowered = ROLES.indexOf(role) < ROLES.indexOf(before.role);
  const revokedTokens: RevokedCredential[] = changed.revokedTokens.map((c) => ({
    id: c.id,
    name: c.name,
    prefix: c.prefix,
    role: c.role,
  }));
  await forgetCredentials(
    core,
    changed.revokedTokens.map((c) => c.id),
    now,
  );
  let sessionsEnded = 0;
  if (lowered) sessionsEnded = (await revokeAllSessionsOf(core, userId)).length;
  await core.audit.record('role_changed', ctx, userId, {
    from: before.role,
    to: role,
    revokedTokenIds: revokedTokens.map((t) => t.id),
    sessionsEnded,
  });
  return { previousRole: before.role, role, revokedTokens, sessionsEnded };
}

/** Moves a user to another plan of the PLANS setting; new access tokens carry it. */
export async function setUserPlan(core: Core, userId: string, plan: string, ctx: RequestContext): Promise<string> {
  const name = checkPlan(core.config.plans, plan);
  if (!(await core.stores.users.setPlan(userId, name, core.clock())))
    throw new AuthError('NOT_FOUND', { message: `no user ${userId}` });
  await core.audit.record('plan_changed', ctx, userId, { to: name });
  return name;
}

/**
 * Removes 2FA for a user who lost both the authenticator and the recovery codes (the operator has
 * checked who asks). Every session ends, since one may belong to whoever holds the lost device.
 */
export async function resetTwoFactor(
  core: Core,
  user: Pick<User, 'id' | 'email'>,
  ctx: RequestContext,
): Promise<number> {
  if (!(await isTwoFactorEnabled(core, user.id))) throw new AuthError('MFA_NOT_ENABLED');
  await core.stores.twoFactor.disable(user.id);
  await core.limits.forgetSecondFactor(user);
  const ended = await revokeAllSessionsOf(core, user.id);
  await core.audit.record('mfa_reset', ctx, user.id, { sessionsRevoked: ended.length });
  return ended.length;
}

/**
 * Deletes a user with everything the user owns: sessions, credentials, 2FA, agents and voice logs
 * (the database cascades from the user's row) and the uploaded recordings on disk. Tokens already
 * handed out are refused from the next request on, and the e-mail's lockout records are forgotten.
 */
export async function deleteUser(core: Core, user: User, ctx: RequestContext): Promise<{ files: number }> {
  const now = core.clock();
  await revokeAllSessionsOf(core, user.id);
  // Cached credential lookups outlive the rows for a moment: refuse them like a disabled user's.
  await core.denylist.revoke([denyKey.user(user.id)], now + 2 * CREDENTIAL_CACHE_TTL_MS);
  const paths = await core.stores.voiceLogs.listStoragePaths(user.id);
  if (!(await core.stores.users.delete(user.id))) throw new AuthError('NOT_FOUND', { message: `no user ${user.id}` });
  for (const path of paths) await core.stores.uploads.remove(path);
  // Lockout records are kept by e-mail: a new account on it must not inherit a lockout or block.
  await core.limits.unlock(user);
  await core.audit.record('user_deleted', ctx, user.id, { email: user.email, files: paths.length });
  return { files: paths.length };
}

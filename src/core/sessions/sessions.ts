import type { RefreshToken, Session } from '../../store/session-store.js';
import type { User } from '../../store/user-store.js';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { denyKey } from '../revocation/denylist.js';
import { AuthError } from '../errors.js';
import { checkLoginPassword, isUserPassword } from '../passwords/password-check.js';
import { safeEqual, sha256Hex } from '../digests.js';
import { randomId } from '../ids.js';
import { accountStamp } from '../limits/device-cookies.js';
import { rateLimitSubject } from '../limits/rate-limit-subject.js';
import { newJti } from '../keys/tokens.js';
import { normalizeEmail, publicUser, type PublicUser } from '../users/user.js';

export interface IssuedTokens {
  user: PublicUser;
  sessionId: string;
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
}

export interface RefreshedTokens {
  accessToken: string;
  expiresIn: number;
  /** The successor refresh token; absent when the surface does not rotate. */
  refreshToken: string | undefined;
}

/** How a surface treats refresh tokens: v1 always rotates; the flat surface only when configured. */
export interface RefreshPolicy {
  rotateRefreshTokens: boolean;
}

export interface LoginInput {
  email: string;
  password: string;
}

/** An access token for `session`; its login was when the session was created. */
async function signAccessFor(
  core: Core,
  user: User,
  session: { id: string; createdAt: number },
): Promise<{ accessToken: string; expiresIn: number }> {
  const access = await core.tokens.signAccess({
    sub: user.id,
    sid: session.id,
    role: user.role,
    plan: user.plan,
    authTime: Math.floor(session.createdAt / 1000),
  });
  return { accessToken: access.token, expiresIn: access.exp - Math.floor(core.clock() / 1000) };
}

/**
 * Counts one password attempt against the account, or the client's device when it presented a
 * valid device cookie for `account` (423 once locked). Returns the device id, for clearFailures.
 * The IP limit is taken first, by the caller. A passkey assertion used as the first factor
 * counts here too: the account's lockout covers every way in.
 */
export async function takePasswordAttempt(
  core: Core,
  email: string,
  account: User | null,
  ctx: RequestContext,
): Promise<string | null> {
  const deviceId = core.devices.deviceOf(ctx.deviceCookie, email, accountStamp(account));
  const attempt = await core.limits.takeAccountAttempt(email, deviceId);
  if (!attempt.allowed) {
    await core.audit.record('account_locked', ctx, null, { reason: attempt.reason, device: deviceId !== null });
    throw core.limits.accountLockedError(attempt);
  }
  return deviceId;
}

/**
 * The device cookie value for a client that just signed in to `email` (a renewal of `presented`
 * when that is valid for the account), bound to the account as it now stands; null when the
 * account was deleted in the meantime.
 */
export async function deviceCookieAfterLogin(
  core: Core,
  presented: string | null,
  email: string,
): Promise<string | null> {
  const stamp = accountStamp(await core.stores.users.findByEmail(normalizeEmail(email)));
  return stamp === null ? null : core.devices.issue(presented, email, stamp);
}

/** Checks e-mail and password with the IP limit and account lockout applied; returns the user. */
export async function checkCredentials(core: Core, input: LoginInput, ctx: RequestContext): Promise<User> {
  await core.limits.takeIpAttempt(ctx.ip);
  const found = await core.stores.users.findByEmail(normalizeEmail(input.email));
  const deviceId = await takePasswordAttempt(core, input.email, found, ctx);
  // The unknown-user path verifies against a dummy hash, so both paths take the same time.
  const user = await checkLoginPassword(core, found, input.password);
  if (!user) {
    await core.audit.record('login_failed', ctx, found?.id ?? null);
    throw new AuthError('INVALID_CREDENTIALS');
  }
  await core.limits.clearFailures(input.email, deviceId);
  if (user.disabledAt !== null) {
    await core.audit.record('login_failed', ctx, user.id, { reason: 'disabled' });
    throw new AuthError('ACCOUNT_DISABLED');
  }
  // After the password check: only the account's owner learns that it waits for verification.
  if (core.config.emailVerification === 'required' && user.emailVerifiedAt === null) {
    await core.audit.record('login_failed', ctx, user.id, { reason: 'email not verified' });
    throw new AuthError('EMAIL_NOT_VERIFIED');
  }
  return user;
}

/**
 * Checks a signed-in user's password again before a sensitive change, under the same IP limit and
 * lockout as login: a stolen access token must not turn into an unlimited password oracle.
 */
export async function confirmPassword(core: Core, user: User, password: string, ctx: RequestContext): Promise<void> {
  await core.limits.takeIpAttempt(ctx.ip);
  const deviceId = await takePasswordAttempt(core, user.email, user, ctx);
  if (!(await isUserPassword(core, user, password))) {
    await core.audit.record('login_failed', ctx, user.id, { reason: 'password confirmation' });
    throw new AuthError('INVALID_CREDENTIALS', { message: 'Invalid password' });
  }
  await core.limits.clearFailures(user.email, deviceId);
}

/**
 * Opens a session (a refresh-token family) and issues its first token pair. `user` is the record
 * whose password was just checked: if the password has changed since, the change ended this login
 * and no session is opened (INVALID_CREDENTIALS).
 */
export async function startSession(
  core: Core,
  user: User,
  ctx: RequestContext,
  policy: RefreshPolicy,
): Promise<IssuedTokens> {
  const now = core.clock();
  const sessionId = randomId('sess');
  const jti = newJti();
  const refresh = await core.tokens.signRefresh({ sub: user.id, sid: sessionId, jti });
  const created = await core.stores.sessions.createSession(
    {
      id: sessionId,
      userId: user.id,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: refresh.exp * 1000,
      revokedAt: null,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      rotating: policy.rotateRefreshTokens,
    },
    refreshRow(sha256Hex(jti), sessionId, user.id, null, now, refresh.exp),
    user.passwordHash,
  );
  if (!created) throw new AuthError('INVALID_CREDENTIALS');
  await core.audit.record('login_succeeded', ctx, user.id, { sessionId });
  return {
    user: publicUser(user),
    sessionId,
    ...(await signAccessFor(core, user, { id: sessionId, createdAt: now })),
    refreshToken: refresh.token,
  };
}

function refreshRow(
  idHash: string,
  sessionId: string,
  userId: string,
  parentHash: string | null,
  now: number,
  expSeconds: number,
): RefreshToken {
  return {
    idHash,
    sessionId,
    userId,
    parentHash,
    issuedAt: now,
    expiresAt: expSeconds * 1000,
    usedAt: null,
    successorEnc: null,
    spentBy: null,
  };
}

/**
 * Names the client that spends a refresh token: its IPv4 address or IPv6 /64, and its User-Agent.
 * Hashed, since it only ever needs comparing.
 */
export function clientFingerprint(ctx: RequestContext): string {
  return sha256Hex(`${rateLimitSubject(ctx.ip, 64)}\n${ctx.userAgent ?? ''}`);
}

/**
 * Exchanges a refresh token for a new access token. When the surface or the session rotates, the
 * presented token is spent and a successor issued (RFC 9700 section 4.14.2); a spent token
 * presented again by the client that spent it returns the same successor inside the grace window;
 * after it, or from any other client, it revokes the whole session. A rotating session rotates on every surface, so none can bypass reuse detection.
 */
export async function refreshSession(
  core: Core,
  token: string,
  ctx: RequestContext,
  policy: RefreshPolicy,
): Promise<RefreshedTokens> {
  const verified = await core.tokens.verifyRefresh(token);
  if (!verified.ok) {
    if (verified.code === 'WRONG_ENVIRONMENT') throw new AuthError(verified.code, { message: verified.message });
    throw new AuthError('INVALID_REFRESH_TOKEN');
  }
  const claims = verified.claims;
  const idHash = sha256Hex(claims.jti);
  const stored = await core.stores.sessions.findRefreshToken(idHash);
  if (!stored || stored.sessionId !== claims.sid || stored.userId !== claims.sub)
    throw new AuthError('INVALID_REFRESH_TOKEN');
  const session = await core.stores.sessions.findSession(claims.sid);
  if (!session || session.revokedAt !== null) throw new AuthError('SESSION_REVOKED');
  const user = await core.stores.users.findById(claims.sub);
  if (!user) throw new AuthError('INVALID_REFRESH_TOKEN');
  if (user.disabledAt !== null) throw new AuthError('ACCOUNT_DISABLED');

  const rotate = policy.rotateRefreshTokens || session.rotating;
  if (stored.usedAt === null && !rotate) {
    await core.stores.sessions.touchSession(session.id, core.clock());
    return { ...(await signAccessFor(core, user, session)), refreshToken: undefined };
  }
  if (stored.usedAt === null) {
    const now = core.clock();
    const successorJti = newJti();
    const successor = await core.tokens.signRefresh({ sub: user.id, sid: session.id, jti: successorJti });
    const successorRow = refreshRow(sha256Hex(successorJti), session.id, user.id, idHash, now, successor.exp);
    const sealed = core.box.seal(successor.token, 'refresh-successor');
    if (await core.stores.sessions.spendRefreshToken(idHash, now, clientFingerprint(ctx), successorRow, sealed)) {
      await core.audit.record('refresh', ctx, user.id, { sessionId: session.id });
      return { ...(await signAccessFor(core, user, session)), refreshToken: successor.token };
    }
  }
  const replayed = await replaySpentToken(core, idHash, user, session, ctx);
  // A non-rotating surface never hands out refresh tokens, not even a successor.
  return rotate ? replayed : { ...replayed, refreshToken: undefined };
}

async function replaySpentToken(
  core: Core,
  idHash: string,
  user: User,
  session: Session,
  ctx: RequestContext,
): Promise<RefreshedTokens> {
  // Re-read: when the spend above lost a race, the winner's successor is committed by now.
  const spent = await core.stores.sessions.findRefreshToken(idHash);
  if (!spent || spent.usedAt === null || spent.successorEnc === null) throw new AuthError('INVALID_REFRESH_TOKEN');
  const withinGrace = core.clock() - spent.usedAt <= core.config.refreshReuseGraceSeconds * 1000;
  // The grace covers one client's concurrent or retried requests; the same token from another
  // client is the theft signal RFC 9700 section 4.14.2 describes.
  const sameClient = spent.spentBy !== null && safeEqual(spent.spentBy, clientFingerprint(ctx));
  if (withinGrace && sameClient) {
    const successor = core.box.open(spent.successorEnc, 'refresh-successor');
    return { ...(await signAccessFor(core, user, session)), refreshToken: successor };
  }
  await revokeSessions(core, [spent.sessionId]);
  await core.audit.record('refresh_reuse_detected', ctx, user.id, {
    sessionId: spent.sessionId,
    reason: withinGrace ? 'another client' : 'after grace',
  });
  throw new AuthError('REFRESH_TOKEN_REUSED');
}

// A refresh that read the session just before it was revoked can still sign an access token a
// moment after; the denylist entry outlives such a token by this much.
const REVOCATION_MARGIN_MS = 60_000;

/** Until when a session revoked at `now` may have live access tokens: how long its entries last. */
function lastAccessTokenExpiry(core: Core, now: number): number {
  return now + core.config.accessTokenTtlSeconds * 1000 + REVOCATION_MARGIN_MS;
}

/** Denylists every access token the sessions issued, until it would have expired anyway. */
export function forgetSessionTokens(core: Core, sessionIds: string[], now: number): Promise<void> {
  return core.denylist.revoke(sessionIds.map(denyKey.session), lastAccessTokenExpiry(core, now));
}

/**
 * The refresh policy for a session that replaces `sessionId` (a password change, a step-up): a
 * rotating session's replacement rotates too, whichever surface asked, as its refreshes would.
 */
export async function replacementPolicy(core: Core, sessionId: string, policy: RefreshPolicy): Promise<RefreshPolicy> {
  if (policy.rotateRefreshTokens) return policy;
  const session = await core.stores.sessions.findSession(sessionId);
  return { rotateRefreshTokens: session?.rotating === true };
}

/** Revokes sessions: their refresh tokens stop working, and so does every access token they issued. */
export async function revokeSessions(core: Core, sessionIds: string[]): Promise<void> {
  const now = core.clock();
  for (const id of sessionIds) await core.stores.sessions.revokeSession(id, now);
  await forgetSessionTokens(core, sessionIds, now);
}

/** Revokes every live session of the user at once (one statement); returns their ids. */
export async function revokeAllSessionsOf(core: Core, userId: string): Promise<string[]> {
  const now = core.clock();
  const sessionIds = await core.stores.sessions.revokeUserSessions(userId, now);
  await forgetSessionTokens(core, sessionIds, now);
  return sessionIds;
}

/** Logs out the session behind an access token: the token and its session are revoked at once. */
export async function logout(
  core: Core,
  access: { userId: string; sessionId: string; jti: string },
  ctx: RequestContext,
): Promise<void> {
  const now = core.clock();
  await core.stores.sessions.revokeSession(access.sessionId, now);
  await core.denylist.revoke(
    [denyKey.accessToken(access.jti), denyKey.session(access.sessionId)],
    lastAccessTokenExpiry(core, now),
  );
  await core.audit.record('logout', ctx, access.userId, { sessionId: access.sessionId });
}

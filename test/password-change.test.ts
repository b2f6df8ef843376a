import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { changePassword } from '../src/core/sessions/password-change.js';
import { resetPassword } from '../src/core/sessions/password-reset.js';
import { startSession } from '../src/core/sessions/sessions.js';
import { issuePendingLogin } from '../src/core/two-factor/two-factor.js';
import { setUserDisabled } from '../src/core/users/users.js';
import { caller, PASSWORD, registerV1 } from './helpers/api.js';
import { useServer, uniqueEmail } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';
import { enrolTwoFactor, midStepClock } from './helpers/totp.js';

const NEW_PASSWORD = 'a whole new passphrase';
const LOCKOUT_AFTER = 3;
const CTX = { ip: '192.0.2.1', userAgent: null };
const ROTATING = { rotateRefreshTokens: true };

describe.each(TARGETS)('changing the password on $name', ({ create }) => {
  const clock = midStepClock();

  const { server } = useServer(
    create,
    { LOGIN_RATE_LIMIT: '1000', LOCKOUT_MAX_FAILURES: String(LOCKOUT_AFTER) },
    clock,
  );
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** A user signed in twice: `mine` changes the password, `other` is another device. */
  async function twoSessions() {
    const email = uniqueEmail();
    const mine = await registerV1(caller(server), email);
    const other = (await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).body.data;
    return { email, mine, other };
  }

  const v1Change = (token: string, body: object) => caller(server).post('/api/v1/auth/change-password', body, token);

  it('v1: sets the new password, replaces this session with a new one and signs the others out at once', async () => {
    const { email, mine, other } = await twoSessions();
    const hashBefore = (await server.core.stores.users.findByEmail(email))!.passwordHash;

    const res = await v1Change(mine.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: {
        message: 'Password changed',
        otherSessionsRevoked: 1,
        user: mine.user,
        token: expect.any(String),
        refreshToken: expect.any(String),
      },
    });
    const renewed = res.body.data;

    expect((await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(401);
    expect((await caller(server).post('/api/v1/auth/login', { email, password: NEW_PASSWORD })).status).toBe(200);
    // Both old sessions end, the caller's too: a refresh token stolen from it is no use any more.
    for (const old of [mine, other]) {
      expect((await caller(server).get('/api/v1/agents', old.token)).body.error.code).toBe('TOKEN_REVOKED');
      expect(
        (await caller(server).post('/api/v1/auth/refresh', { refreshToken: old.refreshToken })).body.error.code,
      ).toBe('SESSION_REVOKED');
    }
    expect((await caller(server).get('/api/v1/agents', renewed.token)).status).toBe(200);
    expect((await caller(server).post('/api/v1/auth/refresh', { refreshToken: renewed.refreshToken })).status).toBe(
      200,
    );

    const hashAfter = (await server.core.stores.users.findByEmail(email))!.passwordHash;
    expect(hashAfter).toMatch(/^\$argon2id\$/);
    expect(hashAfter).not.toBe(hashBefore);
    const event = (await server.core.stores.audit.listByType('password_changed', 100)).find(
      (e) => e.userId === mine.user.id,
    );
    expect(event?.details).toEqual({ otherSessionsRevoked: 1, sessionId: decodeJwt(renewed.token).sid });
    expect(JSON.stringify(event)).not.toContain(NEW_PASSWORD);
  });

  it('flat: revoke_other_sessions false keeps the other sessions signed in; the caller still gets a new one', async () => {
    const { email, mine, other } = await twoSessions();
    const body = { current_password: PASSWORD, new_password: NEW_PASSWORD, revoke_other_sessions: false };
    const res = await caller(server).post('/api/auth/change-password', body, mine.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      detail: 'Password changed',
      other_sessions_revoked: 0,
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 900,
    });
    expect((await caller(server).get('/api/v1/agents', other.token)).status).toBe(200);
    expect((await caller(server).get('/api/v1/agents', mine.token)).body.error.code).toBe('TOKEN_REVOKED');
    expect((await caller(server).get('/api/auth/me', res.body.access_token)).status).toBe(200);
    expect((await caller(server).post('/api/auth/login', { email, password: NEW_PASSWORD })).status).toBe(200);
  });

  it('in cookie mode puts the new session’s refresh token in the cookie, not the body', async () => {
    const { mine } = await twoSessions();
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/change-password',
      headers: { authorization: `Bearer ${mine.token}`, 'x-refresh-token-mode': 'cookie' },
      payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).data.refreshToken).toBeUndefined();
    expect(String(res.headers['set-cookie'])).toMatch(/^latchkey_refresh=[^;]+;.*HttpOnly/);
  });

  it('refuses a wrong current password, which counts towards the account lockout', async () => {
    const { email, mine } = await twoSessions();
    const attempt = () => v1Change(mine.token, { currentPassword: 'not my password', newPassword: NEW_PASSWORD });

    const wrong = await attempt();
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toEqual({ code: 'INVALID_CREDENTIALS', message: 'Invalid password' });
    for (let i = 1; i < LOCKOUT_AFTER; i++) expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(423);
    // The lockout is the account's: the right password at login is refused too.
    expect((await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(423);
    await server.core.limits.clearFailures(email);
    expect((await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('checks the new password before the current one, so a refused one costs no attempt', async () => {
    const { email, mine } = await twoSessions();
    // The core's own check (the HTTP schemas refuse a short password before it is reached).
    const change = { currentPassword: 'not my password', newPassword: 'short', revokeOtherSessions: true };
    for (let i = 0; i < LOCKOUT_AFTER + 1; i++) {
      const refused = changePassword(
        server.core,
        { userId: mine.user.id, sessionId: 'sess_unused' },
        change,
        CTX,
        ROTATING,
      );
      await expect(refused).rejects.toMatchObject({ code: 'WEAK_PASSWORD', status: 400 });
    }
    expect((await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);

    const short = await caller(server).post(
      '/api/auth/change-password',
      { current_password: PASSWORD, new_password: 'short' },
      mine.token,
    );
    expect(short.status).toBe(400);
    expect(short.body).toEqual({ detail: 'Password must be 8 to 128 characters', code: 'WEAK_PASSWORD' });
    const same = await caller(server).post(
      '/api/auth/change-password',
      { current_password: PASSWORD, new_password: PASSWORD },
      mine.token,
    );
    expect(same.status).toBe(400);
    expect(same.body.code).toBe('PASSWORD_UNCHANGED');
  });

  it('refuses a guessable password, at sign-up and on a change, saying why', async () => {
    const email = uniqueEmail();
    const signUp = await caller(server).post('/api/v1/auth/register', { email, password: 'password1' });
    expect(signUp.status).toBe(400);
    expect(signUp.body.error).toEqual({
      code: 'GUESSABLE_PASSWORD',
      message: 'This password is on a list of commonly used passwords; choose another',
    });

    const { mine } = await twoSessions();
    const own = await caller(server).post(
      '/api/auth/change-password',
      { current_password: PASSWORD, new_password: mine.user.email },
      mine.token,
    );
    expect(own.status).toBe(400);
    expect(own.body).toEqual({ detail: 'A password must not be your e-mail address', code: 'GUESSABLE_PASSWORD' });
  });

  it('with two-factor on, needs a current code as well', async () => {
    const { email, mine } = await twoSessions();
    const { app } = await enrolTwoFactor(caller(server), mine.token, clock);
    const body = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD };

    const missing = await v1Change(mine.token, body);
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('MFA_CODE_REQUIRED');
    const wrong = await v1Change(mine.token, { ...body, code: app.code(-5) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_2FA_CODE');
    expect((await v1Change(mine.token, { ...body, code: app.code() })).status).toBe(200);
    expect(
      (await caller(server).post('/api/v1/auth/login', { email, password: NEW_PASSWORD })).body.data.requires2FA,
    ).toBe(true);
  });

  it('re-authenticating in place (step-up) with two-factor on needs a code too', async () => {
    const { mine } = await twoSessions();
    const { app } = await enrolTwoFactor(caller(server), mine.token, clock);
    const missing = await caller(server).post('/api/auth/reauthenticate', { password: PASSWORD }, mine.token);
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('MFA_CODE_REQUIRED');
    const stepUp = await caller(server).post(
      '/api/auth/reauthenticate',
      { password: PASSWORD, code: app.code() },
      mine.token,
    );
    expect(stepUp.status).toBe(200);
    expect((await caller(server).get('/api/auth/me', stepUp.body.access_token)).status).toBe(200);
  });

  it('ends logins part-way through: a pending second step opened with the old password cannot finish', async () => {
    const { email, mine } = await twoSessions();
    const { app } = await enrolTwoFactor(caller(server), mine.token, clock);
    const pending = (await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).body.data
      .pendingToken;

    expect(
      (await v1Change(mine.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, code: app.code() })).status,
    ).toBe(200);
    clock.advance(30_000);
    const finish = await caller(server).post('/api/v1/auth/verify-2fa', { pendingToken: pending, code: app.code() });
    expect(finish.status).toBe(401);
    expect(finish.body.error.code).toBe('INVALID_PENDING_TOKEN');
  });

  it('opens no session or pending login for a password check that a change has overtaken', async () => {
    const { email, mine } = await twoSessions();
    // The user as a login read it, just before checking the old password.
    const checked = (await server.core.stores.users.findByEmail(email))!;
    expect((await v1Change(mine.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(200);

    await expect(startSession(server.core, checked, CTX, ROTATING)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(issuePendingLogin(server.core, checked)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    const live = await server.core.stores.sessions.listLiveSessions(mine.user.id, clock());
    expect(live).toHaveLength(1);
  });

  it('opens no session for a password check that a disable has overtaken', async () => {
    const { email } = await twoSessions();
    const checked = (await server.core.stores.users.findByEmail(email))!;
    expect(await setUserDisabled(server.core, checked.id, true)).toBe(true);
    await expect(startSession(server.core, checked, CTX, ROTATING)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect(await server.core.stores.sessions.listLiveSessions(checked.id, clock())).toEqual([]);
  });

  it('keeps rotation for the replacement of a rotating session, whichever surface asked', async () => {
    const { mine } = await twoSessions();
    // A v1 session rotates; the flat surface does not by default.
    const res = await caller(server).post(
      '/api/auth/change-password',
      { current_password: PASSWORD, new_password: NEW_PASSWORD },
      mine.token,
    );
    expect(res.status).toBe(200);
    const replacement = await server.core.stores.sessions.findSession(decodeJwt(res.body.access_token).sid as string);
    expect(replacement?.rotating).toBe(true);
  });

  it('lets one of two simultaneous changes win; the other is refused and changes nothing', async () => {
    const { email, mine, other } = await twoSessions();
    const [a, b] = await Promise.all([
      v1Change(mine.token, { currentPassword: PASSWORD, newPassword: 'password from the laptop' }),
      v1Change(other.token, { currentPassword: PASSWORD, newPassword: 'password from the phone' }),
    ]);
    expect([a.status, b.status].filter((status) => status === 200)).toHaveLength(1);
    const [winner, loser] = a.status === 200 ? [a, b] : [b, a];
    // The loser checked the old password either before the winner's change (409) or after (401).
    expect(['PASSWORD_CHANGE_CONFLICT', 'INVALID_CREDENTIALS']).toContain(loser.body.error.code);
    const won = winner === a ? 'password from the laptop' : 'password from the phone';
    const lost = winner === a ? 'password from the phone' : 'password from the laptop';
    expect((await caller(server).post('/api/v1/auth/login', { email, password: won })).status).toBe(200);
    expect((await caller(server).post('/api/v1/auth/login', { email, password: lost })).status).toBe(401);
  });

  it('answers 409 when another change won after this one checked the password, and changes nothing', async () => {
    const { email, mine } = await twoSessions();
    const before = (await server.core.stores.users.findByEmail(email))!;
    expect((await v1Change(mine.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(200);
    const renewed = (await caller(server).post('/api/v1/auth/login', { email, password: NEW_PASSWORD })).body.data;
    // This change read the user (and checked the password) before the other one landed.
    vi.spyOn(server.core.stores.users, 'findById').mockResolvedValueOnce(before);
    const late = await v1Change(renewed.token, { currentPassword: PASSWORD, newPassword: 'too late to count' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('PASSWORD_CHANGE_CONFLICT');
    expect((await caller(server).post('/api/v1/auth/login', { email, password: NEW_PASSWORD })).status).toBe(200);
  });

  it('lets an operator reset overwrite a change that landed after it read the user', async () => {
    const { email, mine } = await twoSessions();
    const before = (await server.core.stores.users.findByEmail(email))!;
    expect((await v1Change(mine.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(200);
    const read = vi.spyOn(server.core.stores.users, 'findById').mockResolvedValueOnce(before);
    // One session is live: the one the change opened for its caller.
    expect(await resetPassword(server.core, mine.user.id, 'the operator decides', CTX)).toBe(1);
    expect(read).toHaveBeenCalledTimes(2);
    expect((await caller(server).post('/api/v1/auth/login', { email, password: 'the operator decides' })).status).toBe(
      200,
    );
  });

  it('answers bad bodies with 400 in each surface’s shape', async () => {
    const { mine } = await twoSessions();
    const v1 = await v1Change(mine.token, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      revokeOtherSessions: 'yes',
    });
    expect(v1.status).toBe(400);
    expect(v1.body).toEqual({
      success: false,
      error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('revokeOtherSessions') },
    });
    const flat = await caller(server).post('/api/auth/change-password', { new_password: NEW_PASSWORD }, mine.token);
    expect(flat.status).toBe(400);
    expect(flat.body).toEqual({ detail: 'current_password: is required', code: 'VALIDATION_FAILED' });
  });

  it('needs a session token: none is 401, a personal access token 403', async () => {
    const { mine } = await twoSessions();
    const body = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD };
    const none = await caller(server).post('/api/v1/auth/change-password', body);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('NO_BEARER_TOKEN');

    const pat = await caller(server).post('/api/v1/tokens', { name: 'ci', scopes: ['agents:read'] }, mine.token);
    expect(pat.status).toBe(201);
    const withPat = await v1Change(pat.body.data.token, body);
    expect(withPat.status).toBe(403);
    expect(withPat.body.error.code).toBe('SESSION_TOKEN_REQUIRED');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changePassword } from '../src/core/password-change.js';
import { caller, PASSWORD, registerV1 } from './helpers/api.js';
import { startServer, uniqueEmail, type TestServer } from './helpers/server.js';
import { TARGETS, type StorageTarget } from './helpers/targets.js';

const NEW_PASSWORD = 'a whole new passphrase';
const LOCKOUT_AFTER = 3;

describe.each(TARGETS)('changing the password on $name', ({ create }) => {
  let target: StorageTarget;
  let server: TestServer;

  beforeAll(async () => {
    target = await create();
    server = await startServer(target, { LOGIN_RATE_LIMIT: '1000', LOCKOUT_MAX_FAILURES: String(LOCKOUT_AFTER) });
  });
  afterAll(async () => {
    await server?.close();
    await target?.dispose();
  });

  /** A user signed in twice: `mine` changes the password, `other` is another device. */
  async function twoSessions() {
    const email = uniqueEmail();
    const mine = await registerV1(caller(server), email);
    const other = (await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).body.data;
    return { email, mine, other };
  }

  it('v1: sets the new password, signs the other sessions out at once and keeps this one', async () => {
    const { email, mine, other } = await twoSessions();
    const hashBefore = (await server.core.stores.users.findByEmail(email))!.passwordHash;

    const res = await caller(server).post('/api/v1/auth/change-password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, mine.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { message: 'Password changed', otherSessionsRevoked: 1 } });

    expect((await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(401);
    expect((await caller(server).post('/api/v1/auth/login', { email, password: NEW_PASSWORD })).status).toBe(200);
    expect((await caller(server).get('/api/v1/agents', other.token)).body.error.code).toBe('TOKEN_REVOKED');
    expect((await caller(server).post('/api/v1/auth/refresh', { refreshToken: other.refreshToken })).body.error.code).toBe('SESSION_REVOKED');
    expect((await caller(server).get('/api/v1/agents', mine.token)).status).toBe(200);
    expect((await caller(server).post('/api/v1/auth/refresh', { refreshToken: mine.refreshToken })).status).toBe(200);

    const hashAfter = (await server.core.stores.users.findByEmail(email))!.passwordHash;
    expect(hashAfter).toMatch(/^\$argon2id\$/);
    expect(hashAfter).not.toBe(hashBefore);
    const events = await server.core.stores.audit.listByType('password_changed', 100);
    const event = events.find((e) => e.userId === mine.user.id);
    expect(event?.details).toEqual({ otherSessionsRevoked: 1 });
    expect(JSON.stringify(event)).not.toContain(NEW_PASSWORD);
  });

  it('flat: revoke_other_sessions false keeps the other sessions signed in', async () => {
    const { email, mine, other } = await twoSessions();
    const body = { current_password: PASSWORD, new_password: NEW_PASSWORD, revoke_other_sessions: false };
    const res = await caller(server).post('/api/auth/change-password', body, mine.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ detail: 'Password changed', other_sessions_revoked: 0 });
    expect((await caller(server).get('/api/v1/agents', other.token)).status).toBe(200);
    expect((await caller(server).post('/api/auth/login', { email, password: NEW_PASSWORD })).status).toBe(200);
  });

  it('refuses a wrong current password, which counts towards the account lockout', async () => {
    const { email, mine } = await twoSessions();
    const attempt = () => caller(server).post('/api/v1/auth/change-password', { currentPassword: 'not my password', newPassword: NEW_PASSWORD }, mine.token);

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
      const refused = changePassword(server.core, { userId: mine.user.id, sessionId: 'sess_unused' }, change, { ip: '192.0.2.1', userAgent: null });
      await expect(refused).rejects.toMatchObject({ code: 'WEAK_PASSWORD', status: 400 });
    }
    expect((await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);

    const short = await caller(server).post('/api/auth/change-password', { current_password: PASSWORD, new_password: 'short' }, mine.token);
    expect(short.status).toBe(400);
    expect(short.body).toEqual({ detail: expect.stringContaining('new_password'), code: 'VALIDATION_FAILED' });
  });

  it('answers bad bodies with 400 in each surface’s shape', async () => {
    const { mine } = await twoSessions();
    const v1 = await caller(server).post('/api/v1/auth/change-password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, revokeOtherSessions: 'yes' }, mine.token);
    expect(v1.status).toBe(400);
    expect(v1.body).toEqual({ success: false, error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('revokeOtherSessions') } });
    const flat = await caller(server).post('/api/auth/change-password', { new_password: NEW_PASSWORD }, mine.token);
    expect(flat.status).toBe(400);
    expect(flat.body).toEqual({ detail: expect.stringContaining('current_password'), code: 'VALIDATION_FAILED' });
  });

  it('needs a session token: none is 401, a personal access token 403', async () => {
    const { mine } = await twoSessions();
    const body = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD };
    const none = await caller(server).post('/api/v1/auth/change-password', body);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('NO_BEARER_TOKEN');

    const pat = await caller(server).post('/api/v1/tokens', { name: 'ci', scopes: ['agents:read'] }, mine.token);
    expect(pat.status).toBe(201);
    const withPat = await caller(server).post('/api/v1/auth/change-password', body, pat.body.data.token);
    expect(withPat.status).toBe(403);
    expect(withPat.body.error.code).toBe('SESSION_TOKEN_REQUIRED');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/core/users/user.js';
import type { SessionStore } from '../../src/store/session-store.js';
import { createSqlSessionStore } from '../../src/store/sql/sql-sessions.js';
import { createSqlUserStore } from '../../src/store/sql/sql-users.js';
import type { User, UserStore } from '../../src/store/user-store.js';
import { SQL_DATABASES, type SqlPair } from './sql-pair.js';
import { aRefreshToken, aSession, aUser, NOW } from './store-fixtures.js';

describe.each(SQL_DATABASES)('the session store contract on $name', ({ open }) => {
  let pair: SqlPair;
  let users: UserStore;
  let sessions: SessionStore;
  let otherProcess: SessionStore;

  // Racing writes share one handle: on PostgreSQL its pool runs them on separate connections; two
  // SQLite handles in one thread would deadlock on the file lock, which two processes do not.
  beforeAll(async () => {
    pair = await open();
    users = createSqlUserStore(pair.first);
    sessions = createSqlSessionStore(pair.first);
    otherProcess = createSqlSessionStore(pair.second);
  });
  afterAll(async () => {
    await pair?.close();
  });

  async function aStoredUser(overrides: Partial<User> = {}): Promise<User> {
    const user = aUser(overrides);
    await users.create(user, normalizeEmail(user.email));
    return user;
  }

  it('opens a session with its first refresh token only while the checked password is current and the account enabled', async () => {
    const user = await aStoredUser();
    const session = aSession(user.id);
    const token = aRefreshToken(session);
    expect(await sessions.createSession(session, token, user.passwordHash)).toBe(true);
    expect(await otherProcess.findSession(session.id)).toEqual(session);
    expect(await otherProcess.findRefreshToken(token.idHash)).toEqual(token);

    const stale = aSession(user.id);
    expect(await sessions.createSession(stale, aRefreshToken(stale), 'an-older-hash')).toBe(false);
    expect(await sessions.findSession(stale.id)).toBeNull();

    const disabled = await aStoredUser({ disabledAt: NOW });
    const refused = aSession(disabled.id);
    expect(await sessions.createSession(refused, aRefreshToken(refused), disabled.passwordHash)).toBe(false);
    expect(await sessions.findSession(refused.id)).toBeNull();
  });

  it('spends a refresh token once: of racing spends exactly one wins and records its successor', async () => {
    const user = await aStoredUser();
    const session = aSession(user.id);
    const token = aRefreshToken(session);
    await sessions.createSession(session, token, user.passwordHash);

    const successors = Array.from({ length: 6 }, () => aRefreshToken(session, token.idHash));
    const results = await Promise.all(
      successors.map((s, i) => sessions.spendRefreshToken(token.idHash, NOW + 10, `client-${i}`, s, `sealed-${i}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);

    const spent = await otherProcess.findRefreshToken(token.idHash);
    expect(spent).toMatchObject({ usedAt: NOW + 10, spentBy: `client-${winner}`, successorEnc: `sealed-${winner}` });
    for (const [i, s] of successors.entries())
      expect((await sessions.findRefreshToken(s.idHash)) !== null).toBe(i === winner);
    // The session lives as long as its newest token.
    expect((await sessions.findSession(session.id))?.expiresAt).toBe(successors[winner]!.expiresAt);
  });

  it('revokes a session once, and all of a user’s live sessions at once', async () => {
    const user = await aStoredUser();
    const [a, b, c] = [aSession(user.id), aSession(user.id), aSession(user.id)];
    for (const s of [a, b, c]) await sessions.createSession(s, aRefreshToken(s), user.passwordHash);

    expect(await sessions.revokeSession(a.id, NOW + 1)).toBe(true);
    expect(await otherProcess.revokeSession(a.id, NOW + 2)).toBe(false);
    expect((await sessions.findSession(a.id))?.revokedAt).toBe(NOW + 1);
    expect(await sessions.revokeSession('sess_missing', NOW)).toBe(false);

    expect((await otherProcess.revokeUserSessions(user.id, NOW + 3)).sort()).toEqual([b.id, c.id].sort());
    expect(await sessions.revokeUserSessions(user.id, NOW + 4)).toEqual([]);
  });

  it('lists live sessions only, most recently used first', async () => {
    const user = await aStoredUser();
    const older = aSession(user.id, { lastUsedAt: NOW - 5_000 });
    const newer = aSession(user.id, { lastUsedAt: NOW - 1_000 });
    const expired = aSession(user.id, { expiresAt: NOW - 1 });
    const revoked = aSession(user.id);
    for (const s of [older, newer, expired, revoked])
      await sessions.createSession(s, aRefreshToken(s), user.passwordHash);
    await sessions.revokeSession(revoked.id, NOW);
    await sessions.touchSession(older.id, NOW);

    expect((await otherProcess.listLiveSessions(user.id, NOW)).map((s) => s.id)).toEqual([older.id, newer.id]);
  });

  // Last: it ends the sessions every other test of this file made.
  it('revokes every live session of every user at once, and only live ones', async () => {
    const [one, two] = [await aStoredUser(), await aStoredUser()];
    const [a, b, earlier] = [aSession(one.id), aSession(two.id), aSession(two.id)];
    for (const [s, u] of [
      [a, one],
      [b, two],
      [earlier, two],
    ] as const)
      await sessions.createSession(s, aRefreshToken(s), u.passwordHash);
    await sessions.revokeSession(earlier.id, NOW);

    const ended = await otherProcess.revokeAllSessions(NOW + 1);
    expect(ended).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(ended).not.toContain(earlier.id);
    expect((await sessions.findSession(earlier.id))?.revokedAt).toBe(NOW);
    expect(await sessions.listLiveSessions(two.id, NOW)).toEqual([]);
    expect(await sessions.revokeAllSessions(NOW + 2)).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/core/users/user.js';
import { createSqlSessionStore } from '../../src/store/sql/sql-sessions.js';
import { createSqlUserStore } from '../../src/store/sql/sql-users.js';
import type { UserStore } from '../../src/store/user-store.js';
import { SQL_DATABASES, type SqlPair } from './sql-pair.js';
import { aRefreshToken, aSession, aUser, NOW } from './store-fixtures.js';

describe.each(SQL_DATABASES)('the user store contract on $name', ({ open }) => {
  let pair: SqlPair;
  let users: UserStore;
  let otherProcess: UserStore;

  // Racing writes share one handle: on PostgreSQL its pool runs them on separate connections; two
  // SQLite handles in one thread would deadlock on the file lock, which two processes do not.
  beforeAll(async () => {
    pair = await open();
    users = createSqlUserStore(pair.first);
    otherProcess = createSqlUserStore(pair.second);
  });
  afterAll(async () => {
    await pair?.close();
  });

  it('creates a user and finds it by id and by its normalized e-mail', async () => {
    const user = aUser({ email: `Mixed.${Date.now()}@Example.COM` });
    expect(await users.create(user, normalizeEmail(user.email))).toEqual(user);
    expect(await otherProcess.findById(user.id)).toEqual(user);
    expect(await otherProcess.findByEmail(normalizeEmail(user.email))).toEqual(user);
    expect(await users.findById('user_missing')).toBeNull();
  });

  it('refuses a second account for the same normalized e-mail, even when both race', async () => {
    const email = aUser().email;
    const results = await Promise.all(
      [email, email.toUpperCase(), ` ${email} `].map((variant, i) =>
        (i === 1 ? otherProcess : users).create(aUser({ email: variant }), normalizeEmail(variant)),
      ),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it('replaces the password only while the hash is still the one checked, once among racers', async () => {
    const user = aUser();
    await users.create(user, normalizeEmail(user.email));
    const results = await Promise.all([
      users.replacePassword(user.id, user.passwordHash, 'hash-a', NOW + 1),
      users.replacePassword(user.id, user.passwordHash, 'hash-b', NOW + 1),
    ]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    const winner = results[0] !== null ? 'hash-a' : 'hash-b';
    expect((await users.findById(user.id))?.passwordHash).toBe(winner);
    expect(await users.replacePassword(user.id, user.passwordHash, 'hash-c', NOW + 2)).toBeNull();
    expect(await users.replacePassword('user_missing', 'x', 'y', NOW)).toBeNull();
  });

  it('ends every open session on a password change, or only the one named', async () => {
    const sessions = createSqlSessionStore(pair.first);
    const user = aUser();
    await users.create(user, normalizeEmail(user.email));
    const [kept, ended, alsoEnded] = [aSession(user.id), aSession(user.id), aSession(user.id)];
    for (const s of [kept, ended, alsoEnded])
      expect(await sessions.createSession(s, aRefreshToken(s), user.passwordHash)).toBe(true);

    const onlyOne = await users.replacePassword(user.id, user.passwordHash, 'hash-2', NOW + 1, ended.id);
    expect(onlyOne).toEqual([ended.id]);
    const all = await users.replacePassword(user.id, 'hash-2', 'hash-3', NOW + 2);
    expect(all?.sort()).toEqual([kept.id, alsoEnded.id].sort());
    expect(await sessions.listLiveSessions(user.id, NOW)).toEqual([]);
  });

  it('upgrades a hash in place without ending sessions, as a compare-and-set', async () => {
    const sessions = createSqlSessionStore(pair.first);
    const user = aUser();
    await users.create(user, normalizeEmail(user.email));
    const session = aSession(user.id);
    await sessions.createSession(session, aRefreshToken(session), user.passwordHash);

    expect(await users.upgradePasswordHash(user.id, 'not-the-hash', 'hash-new', NOW)).toBe(false);
    expect(await otherProcess.upgradePasswordHash(user.id, user.passwordHash, 'hash-new', NOW)).toBe(true);
    expect((await users.findById(user.id))?.passwordHash).toBe('hash-new');
    expect((await sessions.findSession(session.id))?.revokedAt).toBeNull();
  });

  it('sets and clears the disabled time, and says when there is no such user', async () => {
    const user = aUser();
    await users.create(user, normalizeEmail(user.email));
    expect(await users.setDisabled(user.id, NOW + 5, NOW + 5)).toBe(true);
    expect((await otherProcess.findById(user.id))?.disabledAt).toBe(NOW + 5);
    expect(await users.setDisabled(user.id, null, NOW + 6)).toBe(true);
    expect((await users.findById(user.id))?.disabledAt).toBeNull();
    expect(await users.setDisabled('user_missing', NOW, NOW)).toBe(false);
  });
});

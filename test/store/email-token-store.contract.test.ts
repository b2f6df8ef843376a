import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/core/users/user.js';
import type { EmailToken, EmailTokenStore } from '../../src/store/email-token-store.js';
import { createSqlEmailTokenStore } from '../../src/store/sql/sql-email-tokens.js';
import { createSqlUserStore } from '../../src/store/sql/sql-users.js';
import type { UserStore } from '../../src/store/user-store.js';
import { SQL_DATABASES, type SqlPair } from './sql-pair.js';
import { aUser, NOW } from './store-fixtures.js';

describe.each(SQL_DATABASES)('the e-mail token store contract on $name', ({ open }) => {
  let pair: SqlPair;
  let tokens: EmailTokenStore;
  let otherProcess: EmailTokenStore;
  let users: UserStore;

  beforeAll(async () => {
    pair = await open();
    tokens = createSqlEmailTokenStore(pair.first);
    otherProcess = createSqlEmailTokenStore(pair.second);
    users = createSqlUserStore(pair.first);
  });
  afterAll(async () => {
    await pair?.close();
  });

  async function aToken(overrides: Partial<EmailToken> = {}): Promise<EmailToken> {
    const user = aUser();
    await users.create(user, normalizeEmail(user.email));
    const token: EmailToken = {
      tokenHash: `hash-${Math.random()}`,
      kind: 'password-reset',
      userId: user.id,
      email: user.email,
      binding: 'binding',
      createdAt: NOW,
      expiresAt: NOW + 60_000,
      usedAt: null,
      ...overrides,
    };
    await tokens.create(token);
    return token;
  }

  it('finds a live token of its kind only, from another process too', async () => {
    const token = await aToken();
    expect(await otherProcess.findLive(token.tokenHash, 'password-reset', NOW)).toEqual(token);
    expect(await otherProcess.findLive(token.tokenHash, 'email-change', NOW)).toBeNull();
    expect(await otherProcess.findLive(token.tokenHash, 'password-reset', token.expiresAt)).toBeNull();
  });

  it('spends a token once among racers, and not after it expired', async () => {
    const token = await aToken();
    const results = await Promise.all([
      tokens.spend(token.tokenHash, NOW + 1),
      otherProcess.spend(token.tokenHash, NOW + 1),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await tokens.findLive(token.tokenHash, 'password-reset', NOW + 2)).toBeNull();
    const late = await aToken();
    expect(await tokens.spend(late.tokenHash, late.expiresAt)).toBe(false);
  });

  it('changes an address only while it and the password hash are as expected, and refuses a taken one', async () => {
    const user = aUser();
    const other = aUser();
    await users.create(user, normalizeEmail(user.email));
    await users.create(other, normalizeEmail(other.email));
    const expected = { normalizedEmail: normalizeEmail(user.email), passwordHash: user.passwordHash };
    expect(await users.changeEmail(user.id, expected, other.email, normalizeEmail(other.email), NOW)).toBe('taken');
    expect(await users.changeEmail(user.id, { ...expected, passwordHash: 'other' }, 'n@x.io', 'n@x.io', NOW)).toBe(
      'stale',
    );
    expect(await users.changeEmail(user.id, expected, 'New@X.io', 'new@x.io', NOW + 5)).toBe('changed');
    expect(await users.findByEmail('new@x.io')).toMatchObject({
      id: user.id,
      email: 'New@X.io',
      emailVerifiedAt: NOW + 5,
    });
    expect(await users.changeEmail(user.id, expected, 'again@x.io', 'again@x.io', NOW)).toBe('stale');
    expect(await users.markEmailVerified(user.id, expected.normalizedEmail, NOW)).toBe(false);
  });
});

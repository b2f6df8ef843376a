import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/core/users/user.js';
import type { Passkey, PasskeyStore } from '../../src/store/passkey-store.js';
import { createSqlPasskeyStore } from '../../src/store/sql/sql-passkeys.js';
import { createSqlUserStore } from '../../src/store/sql/sql-users.js';
import type { UserStore } from '../../src/store/user-store.js';
import { SQL_DATABASES, type SqlPair } from './sql-pair.js';
import { aUser, NOW } from './store-fixtures.js';

function aPasskey(userId: string, overrides: Partial<Passkey> = {}): Passkey {
  return {
    id: `pk_${randomBytes(8).toString('hex')}`,
    userId,
    credentialId: randomBytes(16).toString('base64url'),
    publicKey: randomBytes(77).toString('base64url'),
    counter: 0,
    transports: ['internal', 'hybrid'],
    deviceType: 'multiDevice',
    backedUp: true,
    name: 'Phone',
    createdAt: NOW,
    lastUsedAt: null,
    ...overrides,
  };
}

describe.each(SQL_DATABASES)('the passkey store contract on $name', ({ open }) => {
  let pair: SqlPair;
  let users: UserStore;
  let passkeys: PasskeyStore;
  let otherProcess: PasskeyStore;

  beforeAll(async () => {
    pair = await open();
    users = createSqlUserStore(pair.first);
    passkeys = createSqlPasskeyStore(pair.first);
    otherProcess = createSqlPasskeyStore(pair.second);
  });
  afterAll(async () => {
    await pair?.close();
  });

  async function aStoredUserId(): Promise<string> {
    const user = aUser();
    await users.create(user, normalizeEmail(user.email));
    return user.id;
  }

  it('stores a passkey as given, refuses its credential ID twice, and forgets it with its user', async () => {
    const userId = await aStoredUserId();
    const passkey = aPasskey(userId, { counter: 7, deviceType: 'singleDevice', backedUp: false });
    expect(await passkeys.insert(passkey)).toBe(true);
    expect(await otherProcess.findByCredentialId(passkey.credentialId)).toEqual(passkey);
    expect(await passkeys.insert(aPasskey(await aStoredUserId(), { credentialId: passkey.credentialId }))).toBe(false);
    expect(await otherProcess.listByUser(userId)).toEqual([passkey]);
    await users.delete(userId);
    expect(await otherProcess.findByCredentialId(passkey.credentialId)).toBeNull();
  });

  it('moves the counter only forward (or keeps 0 at 0), as a compare-and-set', async () => {
    const userId = await aStoredUserId();
    const counting = aPasskey(userId, { counter: 5 });
    const counterless = aPasskey(userId);
    await passkeys.insert(counting);
    await passkeys.insert(counterless);
    expect(await passkeys.recordUse(counting.id, 5, true, NOW + 1)).toBe(false);
    expect(await passkeys.recordUse(counting.id, 6, false, NOW + 2)).toBe(true);
    expect(await otherProcess.recordUse(counting.id, 6, false, NOW + 3)).toBe(false);
    expect(await otherProcess.findByCredentialId(counting.credentialId)).toMatchObject({
      counter: 6,
      backedUp: false,
      lastUsedAt: NOW + 2,
    });
    expect(await passkeys.recordUse(counterless.id, 0, true, NOW + 4)).toBe(true);
    expect(await passkeys.recordUse(counterless.id, 0, true, NOW + 5)).toBe(true);
  });

  it('renames and deletes only the owner’s passkey, and keeps the last one when told to', async () => {
    const [owner, stranger] = [await aStoredUserId(), await aStoredUserId()];
    const [first, second] = [aPasskey(owner), aPasskey(owner)];
    await passkeys.insert(first);
    await passkeys.insert(second);
    expect(await passkeys.rename(stranger, first.id, 'Mine')).toBeNull();
    expect(await passkeys.rename(owner, first.id, 'Laptop')).toMatchObject({ id: first.id, name: 'Laptop' });
    const keepOne = (others: number) => others > 0;
    expect(await passkeys.delete(stranger, first.id, keepOne)).toBe('not-found');
    expect(await passkeys.delete(owner, first.id, keepOne)).toBe('deleted');
    expect(await otherProcess.delete(owner, second.id, keepOne)).toBe('last');
    expect(await passkeys.delete(owner, second.id, () => true)).toBe('deleted');
    expect(await passkeys.listByUser(owner)).toEqual([]);
  });

  it('hands a challenge out once across handles, and drops expired ones when saving', async () => {
    const challenge = { purpose: 'login' as const, boundTo: null, challenge: 'abc', expiresAt: NOW + 300_000 };
    await passkeys.saveChallenge('h1', challenge, NOW);
    await passkeys.saveChallenge('h2', { ...challenge, expiresAt: NOW + 10 }, NOW);
    const [a, b] = await Promise.all([passkeys.takeChallenge('h1'), otherProcess.takeChallenge('h1')]);
    expect([a, b].filter((taken) => taken !== null)).toEqual([challenge]);
    await otherProcess.saveChallenge('h3', challenge, NOW + 11);
    expect(await passkeys.takeChallenge('h2')).toBeNull();
    expect(await passkeys.takeChallenge('h3')).toEqual(challenge);
  });
});

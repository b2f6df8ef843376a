import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/core/users/user.js';
import type { CredentialStore } from '../../src/store/credential-store.js';
import { createSqlCredentialStore } from '../../src/store/sql/sql-credentials.js';
import { createSqlUserStore } from '../../src/store/sql/sql-users.js';
import type { User, UserStore } from '../../src/store/user-store.js';
import { SQL_DATABASES, type SqlPair } from './sql-pair.js';
import { aCredential, aUser, NOW } from './store-fixtures.js';

describe.each(SQL_DATABASES)('the credential store contract on $name', ({ open }) => {
  let pair: SqlPair;
  let users: UserStore;
  let credentials: CredentialStore;
  let otherProcess: CredentialStore;

  // Racing writes share one handle (see the session store contract).
  beforeAll(async () => {
    pair = await open();
    users = createSqlUserStore(pair.first);
    credentials = createSqlCredentialStore(pair.first);
    otherProcess = createSqlCredentialStore(pair.second);
  });
  afterAll(async () => {
    await pair?.close();
  });

  async function aStoredUser(): Promise<User> {
    const user = aUser();
    await users.create(user, normalizeEmail(user.email));
    return user;
  }

  it('finds a live credential by its hash, and no longer once revoked or its owner disabled', async () => {
    const user = await aStoredUser();
    const [pat, other] = [aCredential(user.id), aCredential(user.id)];
    await credentials.insert(pat);
    await credentials.insert(other);
    expect(await otherProcess.findActiveByHash(pat.secretHash)).toEqual(pat);
    expect((await otherProcess.listActive(user.id, 'pat')).map((c) => c.id).sort()).toEqual([pat.id, other.id].sort());

    expect(await credentials.revoke(user.id, pat.id, 'pat', NOW + 1)).toMatchObject({ id: pat.id, revokedAt: NOW + 1 });
    expect(await credentials.revoke(user.id, pat.id, 'pat', NOW + 2)).toBeNull();
    expect(await otherProcess.findActiveByHash(pat.secretHash)).toBeNull();

    await users.setDisabled(user.id, NOW + 3, NOW + 3);
    expect(await otherProcess.findActiveByHash(other.secretHash)).toBeNull();
  });

  it('revokes only the owner’s credential of the kind named', async () => {
    const [owner, stranger] = [await aStoredUser(), await aStoredUser()];
    const pat = aCredential(owner.id);
    await credentials.insert(pat);
    expect(await credentials.revoke(stranger.id, pat.id, 'pat', NOW)).toBeNull();
    expect(await credentials.revoke(owner.id, pat.id, 'ingest', NOW)).toBeNull();
    expect(await credentials.findActiveByHash(pat.secretHash)).not.toBeNull();
  });

  it('keeps one live ingest key per user: refuses a second, replaces on request', async () => {
    const user = await aStoredUser();
    const first = aCredential(user.id, { kind: 'ingest' });
    expect(await credentials.insertIngestKey(first, false, NOW)).toEqual([]);
    expect(await otherProcess.insertIngestKey(aCredential(user.id, { kind: 'ingest' }), false, NOW)).toBeNull();

    const second = aCredential(user.id, { kind: 'ingest' });
    const replaced = await credentials.insertIngestKey(second, true, NOW + 1);
    expect(replaced?.map((c) => c.id)).toEqual([first.id]);
    expect(await credentials.findActiveByHash(first.secretHash)).toBeNull();
    expect((await otherProcess.listActive(user.id, 'ingest')).map((c) => c.id)).toEqual([second.id]);
  });

  it('lets exactly one of several racing first ingest keys in', async () => {
    const user = await aStoredUser();
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        credentials.insertIngestKey(aCredential(user.id, { kind: 'ingest' }), false, NOW),
      ),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await credentials.listActive(user.id, 'ingest')).toHaveLength(1);
  });

  it('lets exactly one of several racing replacements win, leaving one live key', async () => {
    const user = await aStoredUser();
    await credentials.insertIngestKey(aCredential(user.id, { kind: 'ingest' }), false, NOW);
    await Promise.all(
      Array.from({ length: 5 }, () =>
        credentials.insertIngestKey(aCredential(user.id, { kind: 'ingest' }), true, NOW + 1),
      ),
    );
    expect(await credentials.listActive(user.id, 'ingest')).toHaveLength(1);
  });

  it('stores a token with the role its owner holds at insert time, not the one read before', async () => {
    const user = await aStoredUser();
    expect(await credentials.insert(aCredential(user.id, { role: 'ADMIN' }))).toMatchObject({ role: 'USER' });
    expect(await credentials.insert(aCredential('user_gone'))).toBeNull();
  });

  it('leaves no live ADMIN token when token creations race a demotion', async () => {
    const user = aUser({ role: 'ADMIN' });
    await users.create(user, normalizeEmail(user.email));
    // Every token carries the role read before the demotion, as core's newCredential reads it.
    const create = () => credentials.insert(aCredential(user.id, { role: 'ADMIN' }));
    const racing = [
      ...Array.from({ length: 10 }, create),
      users.setRole(user.id, 'USER', NOW + 1, ['ADMIN']),
      ...Array.from({ length: 10 }, create),
    ];
    const [, demotion] = await Promise.all([Promise.all(racing), racing[10]]);
    expect(demotion).toMatchObject({ before: { role: 'ADMIN' } });
    const live = await credentials.listActive(user.id, 'pat');
    expect(live.filter((c) => c.role === 'ADMIN')).toEqual([]);
    expect(await otherProcess.listActive(user.id, 'pat')).toHaveLength(live.length);
  });
});

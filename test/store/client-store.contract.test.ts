import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientStore } from '../../src/store/client-store.js';
import { createSqlClientStore } from '../../src/store/sql/sql-clients.js';
import { SQL_DATABASES, type SqlPair } from './sql-pair.js';
import { aClient, NOW } from './store-fixtures.js';

describe.each(SQL_DATABASES)('the OAuth client store contract on $name', ({ open }) => {
  let pair: SqlPair;
  let clients: ClientStore;
  let otherProcess: ClientStore;

  beforeAll(async () => {
    pair = await open();
    clients = createSqlClientStore(pair.first);
    otherProcess = createSqlClientStore(pair.second);
  });
  afterAll(async () => {
    await pair?.close();
  });

  it('keeps every field of a client as inserted, and finds no client that was never inserted', async () => {
    const client = aClient({
      name: 'agents-api',
      scopes: ['agents:read', 'voicelogs:read'],
      canIntrospect: true,
      canReadRevocations: true,
      createdBy: 'user_admin',
      createdAt: NOW + 5,
      secretRotatedAt: NOW + 5,
    });
    await clients.insert(client);
    expect(await otherProcess.findById(client.id)).toEqual(client);
    expect(await otherProcess.findById(aClient().id)).toBeNull();
  });

  it('lists clients oldest first', async () => {
    const [later, earlier] = [aClient({ createdAt: NOW + 2_000 }), aClient({ createdAt: NOW + 1_000 })];
    await clients.insert(later);
    await clients.insert(earlier);
    const ids = (await otherProcess.list()).map((c) => c.id);
    expect(ids.indexOf(earlier.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(earlier.id)).toBeLessThan(ids.indexOf(later.id));
  });

  it('refuses a second client with the same secret hash', async () => {
    const first = aClient();
    await clients.insert(first);
    await expect(otherProcess.insert(aClient({ secretHash: first.secretHash }))).rejects.toThrow();
    expect((await clients.list()).filter((c) => c.secretHash === first.secretHash)).toHaveLength(1);
  });

  it('replaces the secret and its rotation time, and only of the client named', async () => {
    const [client, bystander] = [aClient(), aClient()];
    await clients.insert(client);
    await clients.insert(bystander);
    const secret = { hash: randomBytes(32).toString('hex'), prefix: 'latchkey_cs_wxyz' };
    const replaced = await otherProcess.replaceSecret(client.id, secret, NOW + 10);
    expect(replaced).toEqual({
      ...client,
      secretHash: secret.hash,
      secretPrefix: secret.prefix,
      secretRotatedAt: NOW + 10,
    });
    expect(await clients.findById(client.id)).toEqual(replaced);
    expect(await clients.findById(bystander.id)).toEqual(bystander);
    expect(await clients.replaceSecret(aClient().id, secret, NOW + 11)).toBeNull();
  });

  it('deletes a client once, returning it', async () => {
    const client = aClient();
    await clients.insert(client);
    expect(await otherProcess.delete(client.id)).toEqual(client);
    expect(await clients.findById(client.id)).toBeNull();
    expect(await clients.delete(client.id)).toBeNull();
  });

  it('records when a client was last used', async () => {
    const client = aClient();
    await clients.insert(client);
    await otherProcess.touch(client.id, NOW + 60_000);
    expect(await clients.findById(client.id)).toEqual({ ...client, lastUsedAt: NOW + 60_000 });
    // Touching a deleted client is no error: a token request may race the deletion.
    await clients.delete(client.id);
    await expect(clients.touch(client.id, NOW + 120_000)).resolves.toBeUndefined();
  });
});

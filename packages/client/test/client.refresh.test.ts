import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../../../test/helpers/api.js';
import { manualClock } from '../../../test/helpers/clock.js';
import { uniqueEmail } from '../../../test/helpers/server.js';
import { postgresTarget } from '../../../test/helpers/targets.js';
import {
  createClient,
  LatchkeyError,
  RecentLoginRequiredError,
  type SessionEndReason,
  type Surface,
  type TokenStorage,
} from '../src/index.js';
import { useListeningServer } from './helpers.js';

const ACCESS_TOKEN_TTL_MS = 900_000;
const clock = manualClock();

/** Storage that answers asynchronously, as AsyncStorage or a keychain does. */
function asyncStorage(): TokenStorage & { values: Map<string, string> } {
  const values = new Map<string, string>();
  const later = () => new Promise((resolve) => setTimeout(resolve, 1));
  return {
    values,
    async get(key) {
      await later();
      return values.get(key);
    },
    async set(key, value) {
      await later();
      values.set(key, value);
    },
    async remove(key) {
      await later();
      values.delete(key);
    },
  };
}

describe.each(['v1', 'flat'] as const)('@latchkey/client refreshing on the %s surface', (surface: Surface) => {
  const latchkey = useListeningServer(postgresTarget, {}, clock);
  const refreshPath = surface === 'v1' ? '/api/v1/auth/refresh' : '/api/auth/refresh';

  async function signedIn(options: { storage?: TokenStorage } = {}) {
    const email = uniqueEmail(`refresh-${surface}`);
    const ended: SessionEndReason[] = [];
    const client = createClient<any>({
      baseUrl: latchkey.baseUrl,
      surface,
      onSessionEnd: (reason) => ended.push(reason),
      ...options,
    });
    await client.register(email, PASSWORD);
    return { email, client, ended };
  }

  it('refreshes once for many requests that found the access token expired, then retries each once', async () => {
    const { client, ended } = await signedIn();
    await client.me();
    const before = latchkey.answered(refreshPath);
    const mesBefore = latchkey.answered(surface === 'v1' ? '/api/v1/auth/me' : '/api/auth/me');
    clock.advance(ACCESS_TOKEN_TTL_MS + 60_000);
    const answers = await Promise.all(Array.from({ length: 8 }, () => client.me()));
    expect(answers).toHaveLength(8);
    expect(latchkey.answered(refreshPath) - before).toBe(1);
    // Each request: the refused try and its one retry.
    expect(latchkey.answered(surface === 'v1' ? '/api/v1/auth/me' : '/api/auth/me') - mesBefore).toBe(16);
    expect(ended).toEqual([]);
  });

  it('raises RecentLoginRequiredError for an old login; reauthenticate lets the retry through', async () => {
    const { client } = await signedIn();
    clock.advance(16 * 60_000);
    const refused = await client.tokens.create('late', ['agents:read']).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RecentLoginRequiredError);
    expect(refused).toBeInstanceOf(LatchkeyError);
    expect(refused).toMatchObject({ status: 401, code: 'RECENT_LOGIN_REQUIRED', maxAgeSeconds: 900 });
    await expect(client.reauthenticate('not the password')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await client.reauthenticate(PASSWORD);
    const created: any = await client.tokens.create('late', ['agents:read']);
    expect(created.name).toBe('late');
  });

  it('tells onSessionEnd once when the session is revoked elsewhere, however many requests notice', async () => {
    const { email, client, ended } = await signedIn();
    const other = createClient<any>({ baseUrl: latchkey.baseUrl, surface });
    await other.login(email, PASSWORD);
    await other.sessions.revokeAll();
    const results = await Promise.allSettled([client.me(), client.me(), client.sessions.list()]);
    for (const result of results) expect(result).toMatchObject({ status: 'rejected', reason: { status: 401 } });
    expect(ended).toEqual(['revoked']);
    await expect(client.getAccessToken()).resolves.toBeNull();
  });

  it('keeps the refresh token in the storage option: a new client resumes, refreshes and logs out with it', async () => {
    const storage = asyncStorage();
    const { client: first } = await signedIn({ storage });
    const issued = storage.values.get('latchkey.refreshToken');
    expect(issued).toMatch(/^eyJ/);

    const ended: SessionEndReason[] = [];
    const resumed = createClient<any>({
      baseUrl: latchkey.baseUrl,
      surface,
      storage,
      onSessionEnd: (r) => ended.push(r),
    });
    expect(await resumed.restore()).toBe(true);
    const me: any = await resumed.me();
    expect(me.user?.email ?? me.email).toMatch(/^refresh-/);
    // v1 rotates on every refresh; the flat surface keeps its refresh token.
    const rotated = storage.values.get('latchkey.refreshToken');
    if (surface === 'v1') expect(rotated).not.toBe(issued);
    else expect(rotated).toBe(issued);

    await resumed.logout();
    expect(storage.values.has('latchkey.refreshToken')).toBe(false);
    expect(ended).toEqual(['logout']);
    first.close();

    // A stored refresh token the server refuses is a session that ended: the app hears of it.
    storage.values.set('latchkey.refreshToken', rotated!);
    const refusedEnded: SessionEndReason[] = [];
    const refused = createClient<any>({
      baseUrl: latchkey.baseUrl,
      surface,
      storage,
      onSessionEnd: (r) => refusedEnded.push(r),
    });
    expect(await refused.restore()).toBe(false);
    expect(refusedEnded).toEqual(['revoked']);
    expect(storage.values.has('latchkey.refreshToken')).toBe(false);
  });

  it('restores nothing, and tells nobody, without a stored refresh token', async () => {
    const ended: SessionEndReason[] = [];
    const client = createClient<any>({ baseUrl: latchkey.baseUrl, surface, onSessionEnd: (r) => ended.push(r) });
    const before = latchkey.answered(refreshPath);
    expect(await client.restore()).toBe(false);
    expect(latchkey.answered(refreshPath)).toBe(before);
    expect(ended).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../../../test/helpers/api.js';
import { manualClock } from '../../../test/helpers/clock.js';
import { OwnPostgres } from '../../../test/helpers/own-postgres.js';
import { freePort } from '../../../test/helpers/ports.js';
import { startServer, uniqueEmail, type TestServer } from '../../../test/helpers/server.js';
import { TEST_REDIS_URL, TEST_SECRET } from '../../../test/helpers/targets.js';
import { createClient, LatchkeyError, type SessionEndReason } from '../src/index.js';
import { CLIENT_TEST_ENV } from './helpers.js';

// This file runs its own PostgreSQL cluster, so stopping it touches no other test.

describe('@latchkey/client when the server has trouble', () => {
  const clock = manualClock();
  let database: OwnPostgres;
  let server: TestServer;
  let baseUrl: string;

  beforeAll(async () => {
    database = new OwnPostgres(await freePort());
    await database.start();
    const env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, LATCHKEY_SECRET: TEST_SECRET };
    server = await startServer({ name: 'postgres+redis', env, dispose: async () => {} }, CLIENT_TEST_ENV, clock);
    baseUrl = await server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it('keeps the session through a 503 and through a refresh that cannot reach the server', async () => {
    const ended: SessionEndReason[] = [];
    const client = createClient({ baseUrl, onSessionEnd: (reason) => ended.push(reason) });
    await client.register(uniqueEmail('outage'), PASSWORD);

    await database.stop();
    const unavailable = await client.me().catch((error: unknown) => error);
    expect(unavailable).toBeInstanceOf(LatchkeyError);
    expect(unavailable).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    expect(ended).toEqual([]);
    await database.resume();
    await expect
      .poll(
        () =>
          client.me().then(
            () => 'answered',
            () => 'refused',
          ),
        { timeout: 10_000 },
      )
      .toBe('answered');

    // The token expires while the server cannot be reached: the refresh fails, the session stays.
    const port = Number(new URL(baseUrl).port);
    const offline = createClient({
      baseUrl,
      onSessionEnd: (reason) => ended.push(reason),
      // Another port on this host answers nothing: the network error a phone sees in a tunnel.
      fetch: (url, init) => fetch(String(url).includes('/refresh') ? url.replace(`:${port}`, ':9') : url, init),
    });
    await offline.login((await client.me()).user.email, PASSWORD);
    clock.advance(16 * 60_000);
    await expect(offline.me()).rejects.toBeInstanceOf(TypeError);
    expect(ended).toEqual([]);
    expect(await offline.getAccessToken()).not.toBeNull();
  });
});

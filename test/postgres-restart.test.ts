import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, PASSWORD, registerV1, type Response } from './helpers/api.js';
import { OwnPostgres } from './helpers/own-postgres.js';
import { freePort } from './helpers/ports.js';
import { startServer, type TestServer, uniqueEmail } from './helpers/server.js';
import { TEST_REDIS_URL, TEST_SECRET } from './helpers/targets.js';

// This file runs its own PostgreSQL cluster, so restarting it touches no other test.

const WORKERS = 6;
const RECOVERY_WAIT_MS = 30_000;

function jtiOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
}

interface Sample {
  startedAt: number;
  endedAt: number;
  res: Response;
}

describe('PostgreSQL restarts under load (a cluster of our own)', () => {
  let cluster: OwnPostgres;
  let server: TestServer;

  beforeAll(async () => {
    cluster = new OwnPostgres(await freePort());
    await cluster.start();
    server = await startServer(
      {
        name: 'postgres+redis',
        env: { DATABASE_URL: cluster.url, REDIS_URL: TEST_REDIS_URL, LATCHKEY_SECRET: TEST_SECRET },
        dispose: async () => {},
      },
      { LOGIN_RATE_LIMIT: '100000', REFRESH_REUSE_GRACE_SECONDS: '60' },
    );
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await cluster?.dispose();
  });

  /** Resolves with the time /readyz first answers 200 again. */
  async function recovered(): Promise<number> {
    const deadline = performance.now() + RECOVERY_WAIT_MS;
    for (;;) {
      if ((await caller(server).get('/readyz')).status === 200) return performance.now();
      if (performance.now() > deadline) throw new Error(`not ready within ${RECOVERY_WAIT_MS} ms of the restart`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it.each(['fast', 'immediate'] as const)(
    'pg_ctl restart -m %s: in-flight requests get 503 DATABASE_UNAVAILABLE, never 500; no answered write is lost',
    async (mode) => {
      const email = uniqueEmail();
      const first = await registerV1(caller(server), email);
      const sessions = [first];
      for (let i = 0; i < 3 * WORKERS - 1; i++) {
        sessions.push((await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).body.data);
      }

      const samples: Sample[] = [];
      const refreshed: string[] = [];
      const loggedOut: string[] = [];
      const created: { id: string; token: string }[] = [];
      let running = true;
      async function worker(n: number): Promise<void> {
        // One address and session per worker: a refresh retried after a 503 comes from the same client.
        const client = caller(server);
        let chain: string | undefined = sessions[3 * n]!.refreshToken;
        let access = sessions[3 * n]!.token;
        const spare = [sessions[3 * n + 1]!.token, sessions[3 * n + 2]!.token];
        const send = async (request: () => Promise<Response>) => {
          const startedAt = performance.now();
          const res = await request();
          samples.push({ startedAt, endedAt: performance.now(), res });
          return res;
        };
        for (let i = 0; running; i++) {
          const step = i % 4;
          if (step === 0) await send(() => client.get('/api/v1/agents', access));
          if (step === 1 && chain) {
            const res = await send(() => client.post('/api/v1/auth/refresh', { refreshToken: chain }));
            if (res.status === 200) {
              chain = res.body.data.refreshToken as string;
              access = res.body.data.token as string;
              refreshed.push(chain);
            } else if (res.status === 401) chain = undefined;
          }
          if (step === 2) {
            const res = await send(() => client.post('/api/v1/agents', { name: `agent ${n}-${i}` }, access));
            if (res.status === 201) created.push({ id: res.body.data.id, token: access });
          }
          if (step === 3 && spare.length > 0 && i % 20 === 3) {
            const token = spare[0]!;
            const res = await send(() => client.post('/api/v1/auth/logout', undefined, token));
            if (res.status === 200) loggedOut.push(spare.shift()!);
          }
        }
      }

      // What an orchestrator sees meanwhile: live throughout, not ready while the database is away.
      const probes = { readyz: new Set<number>(), livez: new Set<number>() };
      async function prober(): Promise<void> {
        while (running) {
          probes.readyz.add((await caller(server).get('/readyz')).status);
          probes.livez.add((await caller(server).get('/livez')).status);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
      const workers = [...Array.from({ length: WORKERS }, (_, n) => worker(n)), prober()];
      let windowStart = 0;
      let windowEnd = 0;
      try {
        await new Promise((resolve) => setTimeout(resolve, 500));
        windowStart = performance.now();
        await cluster.restart(mode);
        windowEnd = await recovered();
        // Keep going a while on the reconnected pool.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      } finally {
        running = false;
        await Promise.all(workers);
      }

      const serverErrors = samples.filter((s) => s.res.status >= 500);
      const unavailable = serverErrors.filter((s) => s.res.status === 503);
      const codes = new Set(unavailable.map((s) => s.res.body.error.code));
      // In flight when the restart began counts as inside; started once /readyz answered, outside.
      const outsideWindow = serverErrors.filter((s) => s.endedAt < windowStart || s.startedAt > windowEnd);

      // Every answered write holds: a refresh's successor is stored, a logout stays, an agent exists.
      const db = new pg.Client({ connectionString: cluster.url });
      await db.connect();
      let lost = 0;
      try {
        for (const token of refreshed) {
          const idHash = createHash('sha256').update(jtiOf(token)).digest('hex');
          const { rowCount } = await db.query('select 1 from refresh_tokens where id_hash = $1', [idHash]);
          if (rowCount !== 1) lost++;
        }
      } finally {
        await db.end();
      }
      for (const token of loggedOut) if ((await caller(server).get('/api/v1/auth/me', token)).status !== 401) lost++;
      for (const agent of created) {
        if ((await caller(server).get(`/api/v1/agents/${agent.id}`, agent.token)).status !== 200) lost++;
      }

      expect(samples.length).toBeGreaterThan(100);
      expect(refreshed.length).toBeGreaterThan(0);
      // The restart was felt: some requests in flight got the stable 503.
      expect(unavailable.length).toBeGreaterThan(0);
      expect({
        otherServerErrors: serverErrors.length - unavailable.length,
        codes: [...codes],
        serverErrorsOutsideWindow: outsideWindow.length,
        lost,
      }).toEqual({ otherServerErrors: 0, codes: ['DATABASE_UNAVAILABLE'], serverErrorsOutsideWindow: 0, lost: 0 });
      for (const s of unavailable) expect(Number(s.res.headers['retry-after'])).toBeGreaterThan(0);
      expect([...probes.livez]).toEqual([200]);
      expect([...probes.readyz].sort()).toEqual([200, 503]);
    },
    120_000,
  );
});

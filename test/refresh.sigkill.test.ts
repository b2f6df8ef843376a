import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from './helpers/api.js';
import { Served } from './helpers/cli.js';
import { uniqueEmail } from './helpers/server.js';
import { postgresTarget, type StorageTarget } from './helpers/targets.js';

const CLIENTS = 24;
const REFRESHES_EACH = 12;

/**
 * Two `latchkey serve` processes on one PostgreSQL + Redis; one is killed with SIGKILL in the
 * middle of a refresh storm. A client whose request died retries the same refresh token on the
 * other instance, inside the grace window, and must carry on; the database must hold no session
 * with two successors of one token and nothing half-written.
 */
describe('an instance killed with SIGKILL during a refresh storm', () => {
  let target: StorageTarget;
  let dataDir: string;
  let victim: Served;
  let survivor: Served;

  beforeAll(async () => {
    target = await postgresTarget();
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-sigkill-'));
    // Instances of one deployment share PUBLIC_URL, the issuer of every token.
    const env = { ...target.env, PUBLIC_URL: 'http://auth.test', LOGIN_RATE_LIMIT: '100000' };
    survivor = await Served.start(dataDir, env);
    victim = await Served.start(dataDir, env);
  });
  afterAll(async () => {
    await victim?.stop('SIGKILL');
    await survivor?.stop();
    await target?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves every client able to continue, with one successor per token and nothing half-written', async () => {
    const clients: { refreshToken: string; token: string }[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const res = await survivor.post('/api/v1/auth/register', { email: uniqueEmail('storm'), password: PASSWORD });
      expect(res.status).toBe(201);
      clients.push(res.body.data);
    }

    let diedInFlight = 0;
    const statuses: number[] = [];
    // Each client refreshes in a chain, alternating instances; a request the dead instance never
    // answered is retried once on the survivor with the same token.
    const storm = clients.map(async (client, i) => {
      for (let n = 0; n < REFRESHES_EACH; n++) {
        const first = (n + i) % 2 === 0 ? victim : survivor;
        let res = await first.post('/api/v1/auth/refresh', { refreshToken: client.refreshToken }).catch((error) => {
          // Refused: sent after the kill. Anything else: the request was in flight when it came.
          if (error.cause?.code !== 'ECONNREFUSED') diedInFlight += 1;
          return null;
        });
        if (res === null) {
          res = await survivor.post('/api/v1/auth/refresh', { refreshToken: client.refreshToken });
        }
        statuses.push(res.status);
        if (res.status !== 200) return;
        Object.assign(client, res.body.data);
      }
    });
    // Kill once the storm is well under way.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await victim.stop('SIGKILL');
    await Promise.all(storm);

    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses).toHaveLength(CLIENTS * REFRESHES_EACH);
    expect(diedInFlight).toBeGreaterThan(0);
    for (const client of clients) expect((await survivor.get('/api/v1/auth/me', client.token)).status).toBe(200);

    const db = new pg.Client({ connectionString: target.env.DATABASE_URL });
    await db.connect();
    try {
      const doubled = await db.query(
        'select parent_hash from refresh_tokens where parent_hash is not null group by parent_hash having count(*) > 1',
      );
      expect(doubled.rows).toEqual([]);
      const twoLive = await db.query(
        'select session_id from refresh_tokens where used_at is null group by session_id having count(*) > 1',
      );
      expect(twoLive.rows).toEqual([]);
      // A spent token always names its successor; a session always has its tokens.
      const halfSpent = await db.query(
        'select id_hash from refresh_tokens where (used_at is null) <> (successor_enc is null)',
      );
      expect(halfSpent.rows).toEqual([]);
      const orphans = await db.query(
        'select s.id from sessions s left join refresh_tokens r on r.session_id = s.id where r.id_hash is null',
      );
      expect(orphans.rows).toEqual([]);
      const revoked = await db.query('select count(*)::int as n from sessions where revoked_at is not null');
      expect(revoked.rows[0].n).toBe(0);
    } finally {
      await db.end();
    }
  });
});

import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { caller } from './helpers/api.js';
import { useServer } from './helpers/server.js';
import { embeddedTarget } from './helpers/targets.js';

// Losing Redis (degraded) is in redis-outage.test.ts, losing PostgreSQL in postgres-restart.test.ts.

describe('health, readiness and liveness', () => {
  const { server, target } = useServer(async () => embeddedTarget());

  it('answers ok, ready and live when the database and kv store answer', async () => {
    const client = caller(server);
    const health = await client.get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', database: 'ok', kv: 'ok' });
    const ready = await client.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', database: 'ok', schema: 'current' });
    const live = await client.get('/livez');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    for (const res of [health, ready, live]) expect(res.headers['cache-control']).toBe('no-store');
  });

  it('is not ready while the schema lacks a migration this build knows, and still live', async () => {
    // Another connection to the file, as a restore from an older backup would leave it.
    const file = new BetterSqlite3(join(target.env.DATA_DIR!, 'latchkey.db'));
    const last = file.prepare('select name, timestamp from kysely_migration order by name desc limit 1').get() as {
      name: string;
      timestamp: string;
    };
    file.prepare('delete from kysely_migration where name = ?').run(last.name);
    try {
      const ready = await caller(server).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'not_ready', database: 'ok', schema: 'behind' });
      expect((await caller(server).get('/livez')).status).toBe(200);
    } finally {
      file.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run(last.name, last.timestamp);
      file.close();
    }
    expect((await caller(server).get('/readyz')).status).toBe(200);
  });
});

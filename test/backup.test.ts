import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, caller, registerV1 } from './helpers/api.js';
import { cliEnv, lines, run } from './helpers/cli.js';
import { startServer, type TestServer, uniqueEmail } from './helpers/server.js';
import { postgresTarget, type StorageTarget } from './helpers/targets.js';

interface Signed {
  token: string;
  refreshToken: string;
}

async function logIn(server: TestServer, email: string): Promise<Signed> {
  const res = await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD });
  expect(res.status).toBe(200);
  return res.body.data;
}

/** Whether the session's access token and refresh token are each still accepted. */
async function stillAccepted(server: TestServer, signed: Signed): Promise<{ access: number; refresh: number }> {
  const http = caller(server);
  const me = await http.get('/api/v1/auth/me', signed.token);
  const refresh = await http.post('/api/v1/auth/refresh', { refreshToken: signed.refreshToken });
  return { access: me.status, refresh: refresh.status };
}

const REFUSED = { access: 401, refresh: 401 };

describe('latchkey backup and restore on the embedded default', () => {
  let dataDir: string;
  let backups: string;
  const env = () => cliEnv(dataDir);

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-backup-'));
    backups = mkdtempSync(join(tmpdir(), 'latchkey-backups-'));
  });
  afterAll(() => {
    for (const dir of [dataDir, backups]) rmSync(dir, { recursive: true, force: true });
  });

  it('a restore drill: nothing logged out before or after the backup comes back, and sign-in works', async () => {
    const target: StorageTarget = { name: 'embedded', env: { DATA_DIR: dataDir }, dispose: async () => {} };
    let server = await startServer(target);
    const email = uniqueEmail('drill');
    await registerV1(caller(server), email);
    const [outBefore, outAfter, kept] = [
      await logIn(server, email),
      await logIn(server, email),
      await logIn(server, email),
    ];
    const jwksBefore = (await caller(server).get('/.well-known/jwks.json')).body.keys.map((k: any) => k.kid);
    expect((await caller(server).post('/api/v1/auth/logout', undefined, outBefore.token)).status).toBe(200);

    // Taken while the server runs and writes.
    const file = join(backups, 'latchkey.backup');
    const taken = await run(['backup', '--to', file], env());
    expect(taken).toMatchObject({ code: 0, stderr: '' });
    expect(lines(taken.stdout)).toEqual([`backed up to ${file}`]);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    expect((await caller(server).post('/api/v1/auth/logout', undefined, outAfter.token)).status).toBe(200);
    const registeredAfter = uniqueEmail('after');
    await registerV1(caller(server), registeredAfter);
    await server.close();

    const restored = await run(['restore', '--from', file, '--yes'], env());
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    // Three sessions were live in the backup (sign-up's, and outAfter's, logged out only later, and kept's).
    expect(lines(restored.stdout)).toEqual(['restored: 3 sessions ended, 1 signing keys replaced']);

    server = await startServer(target);
    try {
      for (const signed of [outBefore, outAfter, kept]) expect(await stillAccepted(server, signed)).toEqual(REFUSED);
      const jwksAfter = (await caller(server).get('/.well-known/jwks.json')).body.keys.map((k: any) => k.kid);
      expect(jwksAfter).toHaveLength(1);
      expect(jwksBefore).not.toContain(jwksAfter[0]);
      // The backup's accounts sign in again; what came after the backup is gone with it.
      const again = await logIn(server, email);
      expect((await caller(server).get('/api/v1/auth/me', again.token)).status).toBe(200);
      const lost = await caller(server).post('/api/v1/auth/login', { email: registeredAfter, password: PASSWORD });
      expect(lost.status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('refuses a file that is not a backup, and a restore without --from or --in-place, in one line', async () => {
    const junk = join(backups, 'junk');
    writeFileSync(junk, 'not a database');
    const refused = await run(['restore', '--from', junk, '--yes'], env());
    expect(refused.code).toBe(1);
    expect(lines(refused.stderr)).toEqual([
      `latchkey: ${junk} is not a Latchkey backup (an intact SQLite database with its tables)`,
    ]);
    const neither = await run(['restore', '--yes'], env());
    expect(neither.code).toBe(1);
    expect(lines(neither.stderr)).toEqual(['latchkey: latchkey restore needs one of --from FILE or --in-place']);
  });

  it('asks before restoring, and without a terminal needs --yes', async () => {
    const result = await run(['restore', '--in-place'], env());
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([
      'latchkey: latchkey restore: no terminal to confirm on; add --yes to delete without asking',
    ]);
  });
});

describe('latchkey restore --in-place on PostgreSQL (after pg_restore)', () => {
  let target: StorageTarget;
  beforeAll(async () => {
    target = await postgresTarget();
  });
  afterAll(() => target.dispose());

  it('ends every session and replaces the keys; backup itself points at pg_dump', async () => {
    let server = await startServer(target);
    const email = uniqueEmail('pg-drill');
    await registerV1(caller(server), email);
    const signed = await logIn(server, email);
    await server.close();
    const pgEnv = cliEnv(mkdtempSync(join(tmpdir(), 'latchkey-pg-cli-')), target.env);

    const backup = await run(['backup', '--to', join(tmpdir(), 'never-written')], pgEnv);
    expect(backup.code).toBe(1);
    expect(lines(backup.stderr)).toEqual([
      'latchkey: latchkey backup is for the embedded default; with DATABASE_URL use pg_dump and pg_restore',
    ]);

    const restored = await run(['restore', '--in-place', '--yes'], pgEnv);
    expect(restored).toMatchObject({ code: 0, stderr: '' });
    expect(lines(restored.stdout)).toEqual(['restored: 2 sessions ended, 1 signing keys replaced']);
    server = await startServer(target);
    try {
      expect(await stillAccepted(server, signed)).toEqual(REFUSED);
      expect((await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

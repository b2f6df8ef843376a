import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from './helpers/api.js';
import { cliEnv, lines, run, Served } from './helpers/cli.js';
import { PASSKEY_ENV, platformAuthenticator, registerPasskey } from './helpers/passkeys.js';
import { uniqueEmail } from './helpers/server.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('latchkey user administration commands', () => {
  let dataDir: string;
  let served: Served;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-cli-admin-'));
    served = await Served.start(dataDir, { LOGIN_RATE_LIMIT: '1000', ...PASSKEY_ENV });
  });
  afterAll(async () => {
    await served?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = (args: string[], extra: Record<string, string> = {}) =>
    run(args, cliEnv(dataDir, { ...PASSKEY_ENV, ...extra }));

  async function createUser(email: string, ...extra: string[]): Promise<string> {
    const result = await cli(['user', 'create', '--email', email, '--password', PASSWORD, ...extra]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result.stdout.trim();
  }

  async function failsWith(args: string[], pattern: RegExp, extra: Record<string, string> = {}): Promise<void> {
    const result = await cli(args, extra);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toEqual([expect.stringMatching(pattern)]);
  }

  it('--version prints the version', async () => {
    const result = await cli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('user unlock of an unknown e-mail is an error, as for set-password', async () => {
    await failsWith(['user', 'unlock', '--email', uniqueEmail('ghost')], /^latchkey: no user with email ghost/);
  });

  it('--plan takes only a plan of the PLANS setting; without it the first one', async () => {
    await failsWith(
      ['user', 'create', '--email', uniqueEmail(), '--password', PASSWORD, '--plan', 'gold'],
      /^latchkey: --plan: expected one of STARTER, PRO, ENTERPRISE/,
    );
    const email = uniqueEmail();
    await createUser(email, '--plan', 'pro');
    expect(JSON.parse((await cli(['user', 'show', email, '--json'])).stdout).plan).toBe('PRO');
    const team = uniqueEmail();
    expect((await cli(['user', 'create', '--email', team, '--password', PASSWORD], { PLANS: 'team,solo' })).code).toBe(
      0,
    );
    expect(JSON.parse((await cli(['user', 'show', team, '--json'])).stdout).plan).toBe('TEAM');
  });

  it('user list prints a table, or JSON with --json', async () => {
    const email = uniqueEmail();
    const id = await createUser(email, '--role', 'ADMIN');
    const table = await cli(['user', 'list']);
    expect(table.code).toBe(0);
    const rows = lines(table.stdout);
    expect(rows[0]).toMatch(/^ID\s+EMAIL\s+VERIFIED\s+ROLE\s+PLAN\s+STATUS\s+CREATED$/);
    expect(rows.find((row) => row.startsWith(id))).toMatch(
      new RegExp(`^${id}\\s+${email}\\s+yes\\s+ADMIN\\s+STARTER\\s+active\\s+\\d{4}-`),
    );
    const json = JSON.parse((await cli(['user', 'list', '--json'])).stdout) as { id: string }[];
    expect(json.find((u) => u.id === id)).toEqual({
      id,
      email,
      role: 'ADMIN',
      plan: 'STARTER',
      createdAt: expect.any(String),
      disabledAt: null,
      emailVerified: true,
    });
  });

  it('user show lists the passkeys by id and name, never a key', async () => {
    const email = uniqueEmail();
    await createUser(email);
    const login = await served.post('/api/v1/auth/login', { email, password: PASSWORD });
    const client = {
      ip: '127.0.0.1',
      post: served.post.bind(served),
      get: served.get.bind(served),
      delete: () => Promise.reject(new Error('unused')),
    };
    const passkey = await registerPasskey(
      client as never,
      login.body.data.token,
      platformAuthenticator({ synced: true }),
      'Phone',
    );
    const shown = lines((await cli(['user', 'show', email])).stdout);
    expect(shown.slice(-2)).toEqual([
      'passkeys:    1',
      expect.stringMatching(new RegExp(`^  ${passkey.id}  "Phone"  synced  created \\S+  last used never$`)),
    ]);
    const json = JSON.parse((await cli(['user', 'show', email, '--json'])).stdout);
    expect(json.passkeys).toEqual([
      { id: passkey.id, name: 'Phone', backedUp: true, createdAt: expect.any(String), lastUsedAt: null },
    ]);
  });

  it('user show names an unknown e-mail in one line', async () => {
    await failsWith(['user', 'show', uniqueEmail('ghost')], /^latchkey: no user with email /);
  });

  it('user set-role to a lower role lists the revoked tokens (never the secret) and they stop at once', async () => {
    const email = uniqueEmail();
    await createUser(email, '--role', 'ADMIN');
    const login = await served.post('/api/v1/auth/login', { email, password: PASSWORD });
    const created = await served.post(
      '/api/v1/tokens',
      { name: 'CRM sync', scopes: ['agents:read'] },
      login.body.data.token,
    );
    expect(created.status).toBe(201);
    const pat = created.body.data as { prefix: string; token: string };

    const result = await cli(['user', 'set-role', email, 'user']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual([
      expect.stringMatching(/ set to USER \(was ADMIN\)$/),
      'revoked 1 personal access token(s) created under a higher role:',
      expect.stringMatching(new RegExp(`^  ${pat.prefix}\\s+ADMIN\\s+"CRM sync"\\s+\\(pat_`)),
      '1 session(s) signed out (their access tokens carried ADMIN)',
    ]);
    expect(result.stdout).not.toContain(pat.token);
    expect((await served.get('/api/v1/agents', pat.token)).body.error.code).toBe('INVALID_PAT');
    await failsWith(['user', 'set-role', email, 'root'], /^latchkey: role: expected one of USER, ADMIN$/);
  });

  it('user set-plan takes a plan of the PLANS setting', async () => {
    const email = uniqueEmail();
    await createUser(email);
    expect((await cli(['user', 'set-plan', email, 'enterprise'])).stdout).toMatch(/set to ENTERPRISE \(was STARTER\)/);
    await failsWith(['user', 'set-plan', email, 'gold'], /^latchkey: plan: expected one of STARTER, PRO, ENTERPRISE/);
  });

  it('user reset-2fa on a user without 2FA says so in one line', async () => {
    const email = uniqueEmail();
    await createUser(email);
    await failsWith(['user', 'reset-2fa', email], /^latchkey: Two-factor authentication is not enabled$/);
  });

  it('user delete refuses without a terminal unless --yes, then deletes', async () => {
    const email = uniqueEmail();
    const id = await createUser(email);
    await failsWith(['user', 'delete', email], /^latchkey: user delete: no terminal to confirm on; add --yes/);
    expect((await served.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);

    const deleted = await cli(['user', 'delete', email, '--yes']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout.trim()).toBe(`deleted ${email} (${id}) and 0 uploaded file(s)`);
    expect((await served.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(401);
  });
});

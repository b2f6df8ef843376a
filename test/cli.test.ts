import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from './helpers/api.js';
import { cliEnv, lines, run, Served } from './helpers/cli.js';
import { uniqueEmail } from './helpers/server.js';

describe('latchkey commands on the embedded default', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-cli-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('user create prints the new id and exits 0', async () => {
    const result = await run(['user', 'create', '--email', uniqueEmail(), '--password', PASSWORD], cliEnv(dataDir));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual([expect.stringMatching(/^user_[0-9a-f]{24}$/)]);
  });

  it('user create --password-stdin applies the password policy to what it reads', async () => {
    const tooShort = await run(
      ['user', 'create', '--email', uniqueEmail(), '--password-stdin'],
      cliEnv(dataDir),
      'short\n',
    );
    expect(tooShort.code).toBe(1);
    expect(lines(tooShort.stderr)).toEqual(['latchkey: Password must be 8 to 128 characters']);
  });

  it('user create refuses an e-mail address no login could use', async () => {
    const result = await run(['user', 'create', '--email', 'not-an-address', '--password', PASSWORD], cliEnv(dataDir));
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual(['latchkey: email: must be a valid email address']);
  });

  it('user create needs exactly one of --password and --password-stdin', async () => {
    for (const args of [[], ['--password', PASSWORD, '--password-stdin']]) {
      const result = await run(['user', 'create', '--email', uniqueEmail(), ...args], cliEnv(dataDir), `${PASSWORD}\n`);
      expect(result.code).toBe(1);
      expect(lines(result.stderr)).toEqual(['latchkey: --password or --password-stdin: give exactly one']);
    }
  });

  it('user create with a taken e-mail (in any case) exits 1 with one line on stderr', async () => {
    const email = uniqueEmail();
    expect((await run(['user', 'create', '--email', email, '--password', PASSWORD], cliEnv(dataDir))).code).toBe(0);
    const again = await run(
      ['user', 'create', '--email', email.toUpperCase(), '--password', PASSWORD],
      cliEnv(dataDir),
    );
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(lines(again.stderr)).toEqual([expect.stringMatching(/^latchkey: .*already exists/)]);
  });

  it('user create with a bad role exits 1 with one line naming the option', async () => {
    const result = await run(
      ['user', 'create', '--email', uniqueEmail(), '--password', PASSWORD, '--role', 'root'],
      cliEnv(dataDir),
    );
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^latchkey: --role: /)]);
  });

  it.each([
    ['PORT', 'abc'],
    ['LATCHKEY_ENV', 'Bad_Env'],
    ['LATCHKEY_FOO', '1'],
    ['LOCKOUT_MAX_FAILURES', '0'],
    ['LOGIN_RATE_LIMIT_IPV6_PREFIX', '32'],
  ])('stops on %s=%s with exactly one line naming the variable', async (name, value) => {
    for (const args of [['user', 'create', '--email', uniqueEmail(), '--password', PASSWORD], ['serve']]) {
      const result = await run(args, cliEnv(dataDir, { [name]: value }));
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(lines(result.stderr)).toEqual([expect.stringMatching(new RegExp(`^latchkey: ${name}: `))]);
    }
  });

  it('user disable and unlock name an unknown e-mail in one line and exit 1', async () => {
    const result = await run(['user', 'disable', '--email', uniqueEmail('ghost')], cliEnv(dataDir));
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^latchkey: no user with email /)]);
  });
});

describe('latchkey serve with commands from a second process', () => {
  let dataDir: string;
  let served: Served;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-serve-'));
    // Every request comes from 127.0.0.1: lift the IP limit so the tests do not share a budget.
    served = await Served.start(dataDir, { LOCKOUT_MAX_FAILURES: '2', LOGIN_RATE_LIMIT: '1000' });
  });
  afterAll(async () => {
    await served?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function createUser(email: string): Promise<string> {
    const result = await run(['user', 'create', '--email', email, '--password', PASSWORD], cliEnv(dataDir));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result.stdout.trim();
  }

  it('answers /healthz', async () => {
    const res = await served.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok', kv: 'ok' });
  });

  it('lets a user created by another process log in at once', async () => {
    const email = uniqueEmail();
    const id = await createUser(email);
    const login = await served.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.data.user).toEqual({ id, email, role: 'USER', plan: 'STARTER' });
  });

  it('lets a user created with --password-stdin log in with the password it read', async () => {
    const email = uniqueEmail();
    const created = await run(
      ['user', 'create', '--email', email, '--password-stdin'],
      cliEnv(dataDir),
      `${PASSWORD}\n`,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect((await served.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('keeps verifying its tokens after keys rotate from another process', async () => {
    const email = uniqueEmail();
    await createUser(email);
    const before = (await served.post('/api/v1/auth/login', { email, password: PASSWORD })).body.data.token;
    const kidsBefore = (await served.get('/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);

    const rotated = await run(['keys', 'rotate'], cliEnv(dataDir));
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    const match = /^new signing key: (\S+)$/.exec(rotated.stdout.trim());
    expect(match).not.toBeNull();
    expect(kidsBefore).not.toContain(match![1]);

    expect((await served.get('/api/v1/auth/me', before)).status).toBe(200);
    const after = await served.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(after.status).toBe(200);
    expect((await served.get('/api/v1/auth/me', after.body.data.token)).status).toBe(200);
  });

  it('refuses a user disabled from another process: login 403 and its tokens revoked', async () => {
    const email = uniqueEmail();
    const id = await createUser(email);
    const login = await served.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect((await served.get('/api/v1/auth/me', login.body.data.token)).status).toBe(200);

    const disabled = await run(['user', 'disable', '--email', email], cliEnv(dataDir));
    expect(disabled.code).toBe(0);
    expect(disabled.stdout.trim()).toBe(`disabled ${id}`);

    const refused = await served.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('ACCOUNT_DISABLED');
    const me = await served.get('/api/v1/auth/me', login.body.data.token);
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('TOKEN_REVOKED');

    expect((await run(['user', 'enable', '--email', email], cliEnv(dataDir))).code).toBe(0);
    expect((await served.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('user set-password replaces a forgotten password: every session signed out, a lockout ended', async () => {
    const email = uniqueEmail();
    const id = await createUser(email);
    const login = await served.post('/api/v1/auth/login', { email, password: PASSWORD });
    for (let i = 0; i < 2; i++)
      expect((await served.post('/api/v1/auth/login', { email, password: 'wrong password' })).status).toBe(401);
    expect((await served.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(423);

    const set = await run(
      ['user', 'set-password', '--email', email, '--password-stdin'],
      cliEnv(dataDir),
      'the replacement secret\n',
    );
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout.trim()).toBe(`password set for ${id}; 1 session(s) signed out`);

    expect((await served.get('/api/v1/auth/me', login.body.data.token)).body.error.code).toBe('TOKEN_REVOKED');
    expect((await served.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(401);
    expect((await served.post('/api/v1/auth/login', { email, password: 'the replacement secret' })).status).toBe(200);

    const unknown = await run(
      ['user', 'set-password', '--email', uniqueEmail(), '--password', 'whatever it is'],
      cliEnv(dataDir),
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^latchkey: no user with email /);
  });

  it('user unlock ends a lockout the server counted', async () => {
    const email = uniqueEmail();
    await createUser(email);
    for (let i = 0; i < 2; i++)
      expect((await served.post('/api/v1/auth/login', { email, password: 'wrong password' })).status).toBe(401);
    const locked = await served.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('ACCOUNT_LOCKED');

    const unlocked = await run(['user', 'unlock', '--email', email], cliEnv(dataDir));
    expect(unlocked.code).toBe(0);
    expect(unlocked.stdout.trim()).toBe(`unlocked ${email}`);
    expect((await served.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });
});

describe('latchkey serve shutdown', () => {
  let dataDir: string;
  let served: Served | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-stop-'));
  });
  afterAll(async () => {
    await served?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets in-flight logins finish on SIGTERM, then exits 0', async () => {
    const email = uniqueEmail();
    expect((await run(['user', 'create', '--email', email, '--password', PASSWORD], cliEnv(dataDir))).code).toBe(0);
    // One hash at a time: the logins queue behind argon2, so most are still running at the signal.
    served = await Served.start(dataDir, { PASSWORD_HASH_CONCURRENCY: '1', LOGIN_RATE_LIMIT: '1000' });
    const server = served;

    let signalAt = Number.POSITIVE_INFINITY;
    const logins = Array.from({ length: 5 }, () =>
      server
        .post('/api/v1/auth/login', { email, password: PASSWORD })
        .then((res) => ({ ...res, doneAt: performance.now() })),
    );
    await Promise.race(logins);
    signalAt = performance.now();
    const exitCode = server.stop('SIGTERM');
    const results = await Promise.all(logins);

    for (const res of results) {
      expect(res.status).toBe(200);
      expect(res.body.data.token).toEqual(expect.any(String));
    }
    // The signal really arrived while some of them were still being served.
    expect(results.filter((r) => r.doneAt > signalAt).length).toBeGreaterThan(0);
    expect(await exitCode).toBe(0);
    expect(server.stderr).toBe('');
    await expect(fetch(`${server.base}/healthz`)).rejects.toThrow();
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, run, Served } from './helpers/cli.js';

describe('the CLI and e-mail', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-cli-mail-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses to serve in production without SMTP_URL, in one line, but runs other commands', async () => {
    const env = cliEnv(dataDir, { LATCHKEY_ENV: 'production', LATCHKEY_SECRET: 'p'.repeat(40) });
    const served = await run(['serve'], env);
    expect(served.code).toBe(1);
    expect(served.stderr.trim()).toMatch(/^latchkey: SMTP_URL: required with LATCHKEY_ENV=production/);
    expect(served.stderr.trim().split('\n')).toHaveLength(1);
    expect((await run(['client', 'list'], env)).code).toBe(0);
    const off = await Served.start(dataDir, {
      LATCHKEY_ENV: 'production',
      LATCHKEY_SECRET: 'p'.repeat(40),
      EMAIL: 'off',
    });
    expect(await off.stop()).toBe(0);
  });

  it('marks operator-created accounts verified unless --unverified, and lists the outbox', async () => {
    const env = cliEnv(dataDir);
    const create = (email: string, ...extra: string[]) =>
      run(['user', 'create', '--email', email, '--password', 'a long operator passphrase', ...extra], env);
    expect((await create('ops@example.com')).code).toBe(0);
    expect((await create('later@example.com', '--unverified')).code).toBe(0);
    const listed = JSON.parse((await run(['user', 'list', '--json'], env)).stdout);
    expect(listed.map((u: { email: string; emailVerified: boolean }) => [u.email, u.emailVerified])).toEqual([
      ['ops@example.com', true],
      ['later@example.com', false],
    ]);
    expect((await run(['mail', 'outbox'], env)).stdout).toMatch(/^no mails in /);
    const served = await Served.start(dataDir);
    const forgot = await served.post('/api/v1/auth/password/forgot', { email: 'ops@example.com' });
    expect(forgot.status).toBe(202);
    // The mail is written after the answer: polled, bounded, through the command itself.
    let outbox: { to: string; subject: string }[] = [];
    for (let tries = 0; outbox.length === 0 && tries < 50; tries++)
      outbox = JSON.parse((await run(['mail', 'outbox', '--json'], env)).stdout);
    await served.stop();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ to: 'ops@example.com', subject: 'Reset your Latchkey password' });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runAtTerminal, Served } from './helpers/cli.js';
import { uniqueEmail } from './helpers/server.js';

describe('--password-stdin at a terminal', () => {
  let dataDir: string;
  let served: Served;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-tty-'));
    served = await Served.start(dataDir, { LOGIN_RATE_LIMIT: '1000' });
  });
  afterAll(async () => {
    await served?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('asks for the password, does not show it as it is typed, and takes it at Enter', async () => {
    const email = uniqueEmail('tty');
    const typed = 'typed at a terminal, unseen';
    const created = await runAtTerminal(
      ['user', 'create', '--email', email, '--password-stdin'],
      cliEnv(dataDir),
      typed,
    );
    expect(created.code).toBe(0);
    expect(created.shown).toMatch(/^Password: \r?\nuser_[0-9a-f]{24}\r?\n$/);
    expect(created.shown).not.toContain(typed);
    expect((await served.post('/api/v1/auth/login', { email, password: typed })).status).toBe(200);

    const replacement = 'a second unseen password';
    const reset = await runAtTerminal(
      ['user', 'set-password', '--email', email, '--password-stdin'],
      cliEnv(dataDir),
      replacement,
    );
    expect(reset.code).toBe(0);
    expect(reset.shown).not.toContain(replacement);
    expect((await served.post('/api/v1/auth/login', { email, password: replacement })).status).toBe(200);
  });
});

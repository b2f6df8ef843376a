import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, lines, run } from './helpers/cli.js';
import { freePort } from './helpers/ports.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL, TEST_SECRET } from './helpers/targets.js';

// Each failure a first-time operator can run into ends in one line on stderr naming the setting
// or the cause and what to do, with exit code 1 and no stack trace.

function postgres(path: string, extra: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: path, REDIS_URL: TEST_REDIS_URL, LATCHKEY_SECRET: TEST_SECRET, ...extra };
}

describe('latchkey serve refuses to start, in one line', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-startup-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function serveFails(env: Record<string, string>): Promise<string> {
    const result = await run(['serve'], cliEnv(dataDir, env));
    expect(result.code).toBe(1);
    const errorLines = lines(result.stderr);
    expect(errorLines).toHaveLength(1);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    return errorLines[0]!;
  }

  it.each([
    ['postgresql://[bad'],
    ['postgresql://latchkey:hunter22secret@127.0.0.1:port/test'],
    ['postgresql://latchkey:hunter22 secret@127.0.0.1/test'],
  ])('on a malformed DATABASE_URL (%s), naming it and not echoing the password', async (url) => {
    const line = await serveFails(postgres(url));
    expect(line).toMatch(/^latchkey: DATABASE_URL: /);
    expect(line).not.toContain('hunter22');
  });

  it('on a malformed REDIS_URL, naming it', async () => {
    expect(await serveFails(postgres(TEST_DATABASE_URL, { REDIS_URL: 'redis://:hunter22secret@cache:63 79' }))).toMatch(
      /^latchkey: REDIS_URL: (?!.*hunter22)/,
    );
  });

  it('on PORT=0x1F90 instead of listening on 8080', async () => {
    expect(await serveFails({ PORT: '0x1F90' })).toBe('latchkey: PORT: a decimal port number (0 to 65535)');
  });

  it('on a WEBAUTHN_RP_ID that does not serve every allowed origin', async () => {
    expect(
      await serveFails({
        PUBLIC_URL: 'https://auth.example.com',
        WEBAUTHN_RP_ID: 'example.com',
        WEBAUTHN_ORIGINS: 'https://auth.example.com,https://app.example.org',
      }),
    ).toBe(
      "latchkey: WEBAUTHN_RP_ID: example.com is not https://app.example.org's host nor a registrable parent domain of it; set it to a domain every origin in WEBAUTHN_ORIGINS shares",
    );
  });

  it('on REDIS_URL without DATABASE_URL instead of ignoring it', async () => {
    expect(await serveFails({ REDIS_URL: TEST_REDIS_URL })).toMatch(
      /^latchkey: REDIS_URL: only used together with DATABASE_URL/,
    );
  });

  it('on a DATA_DIR that cannot be created (it hung under /proc)', async () => {
    expect(await serveFails({ DATA_DIR: '/proc/latchkey/data' })).toMatch(
      /^latchkey: DATA_DIR: cannot create \/proc\/latchkey\/data \(ENOENT\); choose a folder/,
    );
  });

  it('on a PORT in use', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as { port: number }).port;
    try {
      expect(await serveFails({ PORT: String(port) })).toBe(
        `latchkey: PORT: ${port} is already in use on 127.0.0.1; stop the other process or choose another PORT`,
      );
    } finally {
      taken.close();
    }
  });

  it('on a HOST that does not resolve', async () => {
    expect(await serveFails({ HOST: 'no-such-host.invalid' })).toMatch(
      /^latchkey: HOST: no-such-host\.invalid does not resolve/,
    );
  });

  it('on a missing database, naming it', async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = '/latchkey_no_such_db';
    expect(await serveFails(postgres(url.toString()))).toMatch(
      /^latchkey: DATABASE_URL: database "latchkey_no_such_db" does not exist on .*; create it/,
    );
  });

  it('on an unreachable PostgreSQL after retrying with one warning a try', async () => {
    const port = await freePort();
    const started = Date.now();
    const result = await run(
      ['serve'],
      cliEnv(dataDir, {
        ...postgres(`postgresql://postgres:hunter22secret@127.0.0.1:${port}/test`),
        DATABASE_CONNECT_TIMEOUT_SECONDS: '2',
        LOG_LEVEL: 'warn',
      }),
    );
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^latchkey: DATABASE_URL: cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\) after \\d+ attempt\\(s\\) in 2 s; start it`,
        ),
      ),
    ]);
    const warnings = lines(result.stdout).map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    for (const warning of warnings) {
      expect(warning.level).toBe(40);
      expect(warning.msg).toMatch(
        new RegExp(
          `^PostgreSQL at 127\\.0\\.0\\.1:${port} not reachable \\(ECONNREFUSED\\), attempt \\d+; retrying in`,
        ),
      );
    }
    expect(result.stdout + result.stderr).not.toContain('hunter22');
  });

  it('shows the stack only at LOG_LEVEL=debug', async () => {
    const result = await run(['serve'], cliEnv(dataDir, { DATA_DIR: '/proc/latchkey', LOG_LEVEL: 'debug' }));
    expect(result.code).toBe(1);
    expect(lines(result.stderr)[0]).toMatch(/^latchkey: DATA_DIR: /);
    expect(result.stderr).toMatch(/^\s+at /m);
  });
});

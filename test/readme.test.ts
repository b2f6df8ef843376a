import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines, Served } from './helpers/cli.js';

const README = '../README.md';
const VERIFY_README = '../packages/verify/README.md';

/** The ```lang blocks of the section under `heading` (up to the next heading of its level), as a reader would copy them. */
function codeBlocksUnder(heading: string, lang = 'sh', file = README): string[] {
  const readme = readFileSync(new URL(file, import.meta.url), 'utf8');
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no heading ${heading} in ${file}`);
  const level = heading.slice(0, heading.indexOf(' ') + 1);
  const next = readme.indexOf(`\n${level}`, start + heading.length + 1);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const blocks = [...section.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]!);
  if (blocks.length === 0) throw new Error(`no ${lang} block under ${heading}`);
  return blocks;
}

/** The first ```lang block under `heading`. */
function codeBlockUnder(heading: string, lang = 'sh', file = README): string {
  return codeBlocksUnder(heading, lang, file)[0]!;
}

/** The lines of an examples/agents-api source between `// readme:<name>` and `// readme:end`. */
function exampleRegion(file: string, name: string): string {
  const source = readFileSync(new URL(`../examples/agents-api/src/${file}`, import.meta.url), 'utf8');
  const region = new RegExp(`// readme:${name}\\n([\\s\\S]*?)// readme:end\\n`).exec(source);
  if (!region) throw new Error(`no readme:${name} region in ${file}`);
  return region[1]!;
}

/** Runs @latchkey/verify's bare-jose snippet with `token`, against `base`; prints the payload. */
async function verifySnippet(
  base: string,
  token: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const snippet = codeBlockUnder('## Without the SDK: bare jose', 'js', VERIFY_README).replaceAll(
    'http://127.0.0.1:3000',
    base,
  );
  const script = `const token = process.env.TOKEN;\n${snippet}\nconsole.log(JSON.stringify(payload));`;
  return run(process.execPath, ['--input-type=module', '-e', script], { TOKEN: token });
}

async function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

// -e and pipefail: a step that fails (node cannot parse an answer) fails the run.
const bash = (script: string, env: NodeJS.ProcessEnv) => run('bash', ['-e', '-o', 'pipefail', '-c', script], env);

describe('the README code blocks, against a real server', () => {
  let dataDir: string;
  let served: Served;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-readme-'));
    served = await Served.start(dataDir);
  });
  afterAll(async () => {
    await served?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('"Try it" runs as pasted against a real server: sign up, log in, a call, refresh, logout', async () => {
    const block = codeBlockUnder('### Try it');
    const result = await bash(block, { PATH: process.env.PATH, BASE: served.base });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const answers = lines(result.stdout).map((line) => JSON.parse(line));
    expect(answers).toEqual([
      { success: true, data: expect.objectContaining({ token: expect.any(String) }) },
      {
        success: true,
        data: expect.objectContaining({
          user: expect.objectContaining({ email: 'ada@example.com' }),
          token: expect.any(String),
        }),
      },
      { success: true, data: [] },
      { success: true, data: { token: expect.any(String), refreshToken: expect.any(String) } },
      { success: true, data: { message: expect.any(String) } },
    ]);
    const refreshed = answers[3].data.token as string;
    // The logout used the refreshed token, so that one is revoked now.
    expect((await served.get('/api/v1/auth/me', refreshed)).body.error.code).toBe('TOKEN_REVOKED');
  });

  it('"Try it" runs again on the same server: the sign-up answers 409, the rest still succeeds', async () => {
    const result = await bash(codeBlockUnder('### Try it'), { PATH: process.env.PATH, BASE: served.base });
    expect(result.code).toBe(0);
    const answers = lines(result.stdout).map((line) => JSON.parse(line));
    expect(answers[0]).toEqual({ success: false, error: { code: 'EMAIL_TAKEN', message: expect.any(String) } });
    expect(answers.slice(1).every((answer) => answer.success === true)).toBe(true);
  });

  it('"Protect your API" shows examples/agents-api\'s code as it is (the end-to-end test runs it)', () => {
    expect(codeBlocksUnder('## Protect your API', 'js')).toEqual([
      exampleRegion('verifier.js', 'verifier'),
      exampleRegion('fastify.js', 'fastify'),
      exampleRegion('express.js', 'express'),
      exampleRegion('hono.js', 'hono'),
    ]);
  });

  it("@latchkey/verify's bare-jose snippet verifies an access token as written, and refuses a refresh token", async () => {
    const signUp = await served.post('/api/v1/auth/register', {
      email: 'grace@example.com',
      password: 'correct horse battery',
    });
    expect(signUp.status).toBe(201);
    const accepted = await verifySnippet(served.base, signUp.body.data.token);
    expect(accepted.stderr).toBe('');
    expect(JSON.parse(accepted.stdout)).toMatchObject({
      sub: signUp.body.data.user.id,
      role: 'USER',
      iss: served.base,
    });

    const refused = await verifySnippet(served.base, signUp.body.data.refreshToken);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('ERR_JWT_CLAIM_VALIDATION_FAILED');
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedTarget, type StorageTarget } from '../../../test/helpers/targets.js';
import { logout, newUser, registerResourceServer, type ServedLatchkey, serveLatchkey } from './helpers/latchkey.js';

const run = promisify(execFile);
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

// What a user of the published package writes: only the public entry points.
const SCRIPT = `
import { createVerifier, VerifyError } from '@latchkey/verify';
import { latchkey as fastifyPlugin } from '@latchkey/verify/fastify';
import { latchkey as expressMiddleware } from '@latchkey/verify/express';
import { latchkey as honoMiddleware } from '@latchkey/verify/hono';
const verifier = createVerifier({
  issuer: process.env.ISSUER, clientId: process.env.CLIENT_ID, clientSecret: process.env.CLIENT_SECRET,
});
await verifier.ready();
const principal = await verifier.verify('Bearer ' + process.env.TOKEN);
const refused = await verifier.verify(process.env.REVOKED).catch((error) => error);
console.log(JSON.stringify({
  principal,
  refused: refused instanceof VerifyError ? refused.code : String(refused),
  adapters: [typeof fastifyPlugin, typeof expressMiddleware, typeof honoMiddleware],
}));
await verifier.close();
`;

describe('@latchkey/verify as published: npm pack, installed into an empty project', () => {
  let work: string;
  let target: StorageTarget;
  let latchkey: ServedLatchkey;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'latchkey-verify-pack-'));
    target = embeddedTarget();
    latchkey = await serveLatchkey(target);
  });
  afterAll(async () => {
    await latchkey?.server.close();
    await target?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('packs only dist and the README, installs with its one dependency, and verifies against Latchkey', async () => {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: PACKAGE_DIR });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    const files = packed!.files.map((file) => file.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/fastify.d.ts');
    expect(files.every((path) => path.startsWith('dist/') || ['README.md', 'package.json'].includes(path))).toBe(true);

    const project = join(work, 'project');
    await run('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=peer', join(work, packed!.filename)],
      { cwd: project },
    );
    // jose, and nothing else: the frameworks are optional peers.
    expect(readdirSync(join(project, 'node_modules')).sort()).toEqual(['.package-lock.json', '@latchkey', 'jose']);
    writeFileSync(join(project, 'check.mjs'), SCRIPT);

    const client = await registerResourceServer(latchkey.server);
    const [user, revoked] = [await newUser(latchkey.server), await newUser(latchkey.server)];
    await logout(latchkey.base, revoked.token);
    const result = await run(process.execPath, ['check.mjs'], {
      cwd: project,
      // It must end by itself after close(): a timer or connection left behind would hold it.
      timeout: 20_000,
      env: {
        PATH: process.env.PATH,
        ISSUER: latchkey.base,
        CLIENT_ID: client.clientId,
        CLIENT_SECRET: client.clientSecret,
        TOKEN: user.token,
        REVOKED: revoked.token,
      },
    });
    const output = JSON.parse(result.stdout);
    expect(output.principal).toMatchObject({ kind: 'user', sub: user.id });
    expect(output.refused).toBe('TOKEN_REVOKED');
    // The adapters load even though no framework is installed: they import only types.
    expect(output.adapters).toEqual(['function', 'function', 'function']);
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../../../test/helpers/api.js';
import { uniqueEmail } from '../../../test/helpers/server.js';
import { embeddedTarget } from '../../../test/helpers/targets.js';
import { useListeningServer } from './helpers.js';

const run = promisify(execFile);
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

// What an app's Node script does with the published package.
const SCRIPT = `
import { createClient, LatchkeyError } from '@latchkey/client';
const [baseUrl, email, password] = process.argv.slice(2);
const client = createClient({ baseUrl });
await client.register(email, password);
const fresh = createClient({ baseUrl });
const login = await fresh.login(email, password);
const me = await fresh.me();
const refused = await createClient({ baseUrl }).login(email, 'wrong password').catch((error) => error);
console.log(JSON.stringify({ status: login.status, email: me.user.email, refused: refused instanceof LatchkeyError && refused.code }));
`;

describe('the packed @latchkey/client', () => {
  const latchkey = useListeningServer(embeddedTarget);
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-client-pack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs from its tarball into an empty project and signs in from a Node script', {
    timeout: 120_000,
  }, async () => {
    // prepack builds dist, so the tarball is what `npm publish` would upload.
    await run('npm', ['pack', '--pack-destination', dir], { cwd: PACKAGE_DIR });
    const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBe('latchkey-client-0.1.0.tgz');
    const { stdout: listing } = await run('tar', ['-tzf', join(dir, tarball!)]);
    expect(listing).toContain('package/dist/index.js');
    expect(listing).toContain('package/dist/index.d.ts');
    expect(listing).toContain('package/README.md');
    expect(listing).not.toMatch(/package\/(src|test)\//);

    const app = join(dir, 'app');
    await run('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball!)], { cwd: app });
    writeFileSync(join(app, 'main.js'), SCRIPT);
    const email = uniqueEmail('packed');
    const { stdout } = await run(process.execPath, ['main.js', latchkey.baseUrl, email, PASSWORD], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ status: 'signed-in', email, refused: 'INVALID_CREDENTIALS' });
  });
});

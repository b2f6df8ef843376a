import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { openCore } from '../src/server.js';
import { cliEnv, lines, run, runAtTerminal, Served } from './helpers/cli.js';

interface Created {
  clientId: string;
  secret: string;
}

describe('latchkey client commands', () => {
  let dataDir: string;
  let served: Served;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-cli-clients-'));
    served = await Served.start(dataDir);
  });
  afterAll(async () => {
    await served?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = (args: string[]) => run(args, cliEnv(dataDir));

  async function succeeds(args: string[]): Promise<string> {
    const result = await cli(args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result.stdout;
  }

  async function failsWith(args: string[], pattern: RegExp): Promise<void> {
    const result = await cli(args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toEqual([expect.stringMatching(pattern)]);
  }

  async function listed(): Promise<Record<string, unknown>[]> {
    return JSON.parse(await succeeds(['client', 'list', '--json']));
  }

  async function create(name = 'agents-api', ...extra: string[]): Promise<Created> {
    const out = lines(await succeeds(['client', 'create', '--name', name, '--scopes', 'agents:read', ...extra]));
    return { clientId: out[0]!.split(/\s+/)[1]!, secret: out[1]!.split(/\s+/)[1]! };
  }

  /** POST /oauth/token on the running server with HTTP Basic, as a service would. */
  async function tokenFor({ clientId, secret }: Created): Promise<{ status: number; body: any }> {
    const res = await fetch(`${served.base}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    return { status: res.status, body: await res.json() };
  }

  it('client create prints the client_id and the secret once, and the client gets tokens from the server', async () => {
    const out = lines(
      await succeeds([
        'client',
        'create',
        '--name',
        'agents-api',
        '--scopes',
        'agents:read,voicelogs:read',
        '--introspect',
        '--revocations',
      ]),
    );
    expect(out).toEqual([
      expect.stringMatching(/^client_id: +latchkey_client_[0-9a-f]{24}$/),
      expect.stringMatching(/^client_secret: +latchkey_cs_\w+$/),
      'registered "agents-api": agents:read voicelogs:read',
      expect.stringMatching(/shown this once/),
    ]);
    const created = { clientId: out[0]!.split(/\s+/)[1]!, secret: out[1]!.split(/\s+/)[1]! };

    const token = await tokenFor(created);
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'agents:read voicelogs:read' });
    expect((await served.get('/api/v1/agents', token.body.access_token)).status).toBe(200);
  });

  it('client create --json prints the client and its secret as JSON, the warning on stderr', async () => {
    const result = await cli(['client', 'create', '--name', 'feed reader', '--scopes', 'agents:read', '--json']);
    expect(result.code).toBe(0);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^latchkey: The secret is shown this once/)]);
    const body = JSON.parse(result.stdout);
    expect(body).toEqual({
      client: {
        clientId: expect.stringMatching(/^latchkey_client_/),
        name: 'feed reader',
        scopes: ['agents:read'],
        canIntrospect: false,
        canReadRevocations: false,
        secretPrefix: expect.stringMatching(/^latchkey_cs_/),
        createdBy: null,
        createdAt: expect.any(String),
        secretRotatedAt: body.client.createdAt,
        lastUsedAt: null,
      },
      clientSecret: expect.stringMatching(/^latchkey_cs_/),
    });
    expect(body.clientSecret.startsWith(body.client.secretPrefix)).toBe(true);
  });

  it('client list shows every client without a secret, as a table or JSON', async () => {
    const created = await create('listed one', '--introspect');
    const table = lines(await succeeds(['client', 'list']));
    expect(table[0]).toMatch(/^CLIENT ID\s+NAME\s+SCOPES\s+PERMISSIONS\s+SECRET\s+CREATED\s+LAST USED$/);
    expect(table.find((row) => row.startsWith(created.clientId))).toMatch(
      /^latchkey_client_\w+\s+"listed one"\s+agents:read\s+introspect\s+latchkey_cs_\w{4}\s+\d{4}-\S+\s+never$/,
    );
    const json = await listed();
    expect(json.find((c) => c.clientId === created.clientId)).toMatchObject({
      name: 'listed one',
      canIntrospect: true,
    });
    const everything = table.join('\n') + JSON.stringify(json);
    expect(everything).not.toContain(created.secret);
    expect(everything).not.toMatch(/secretHash|[0-9a-f]{64}/);
  });

  // Seven CLI processes one after another: under a loaded machine each start takes seconds.
  it('client create refuses bad input in one line and registers nothing', { timeout: 120_000 }, async () => {
    const before = await listed();
    const refusals: [string[], RegExp][] = [
      [['--name', 'a', '--scopes', 'agents:read,admin'], /^latchkey: --scopes: unknown scope "admin"; expected /],
      [['--name', 'a', '--scopes', 'agents:read,agents:read'], /^latchkey: --scopes: must not repeat a scope$/],
      [['--name', '  ', '--scopes', 'agents:read'], /^latchkey: --name: is required$/],
      [['--name', 'n'.repeat(101), '--scopes', 'agents:read'], /^latchkey: --name: must be at most 100 characters$/],
    ];
    for (const [args, pattern] of refusals) await failsWith(['client', 'create', ...args], pattern);
    const missing = await cli(['client', 'create', '--name', 'a']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/required option '--scopes <scopes>' not specified/);
    expect(await listed()).toEqual(before);
  });

  it('client rotate-secret prints a new secret; the old one and its tokens stop at once', async () => {
    const created = await create();
    const oldToken = (await tokenFor(created)).body.access_token as string;
    // Rotation is judged against iat, which has second resolution: rotate after the token's second.
    const { iat } = JSON.parse(Buffer.from(oldToken.split('.')[1]!, 'base64url').toString()) as { iat: number };
    while (Date.now() <= iat * 1000) await new Promise((resolve) => setTimeout(resolve, 50));
    const out = lines(await succeeds(['client', 'rotate-secret', created.clientId]));
    expect(out).toEqual([
      `client_id:     ${created.clientId}`,
      expect.stringMatching(/^client_secret: +latchkey_cs_\w+$/),
      'The old secret no longer authenticates, and every token issued before now is revoked.',
      expect.stringMatching(/shown this once/),
    ]);
    const rotated = { clientId: created.clientId, secret: out[1]!.split(/\s+/)[1]! };
    expect(rotated.secret).not.toBe(created.secret);

    const refused = await tokenFor(created);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_client');
    expect((await served.get('/api/v1/agents', oldToken)).body.error.code).toBe('TOKEN_REVOKED');
    expect((await tokenFor(rotated)).status).toBe(200);
  });

  it('client delete refuses without a terminal unless --yes; after it the client and its tokens are gone', async () => {
    const created = await create('to delete');
    await failsWith(
      ['client', 'delete', created.clientId],
      /^latchkey: client delete: no terminal to confirm on; add --yes/,
    );
    expect((await tokenFor(created)).status).toBe(200);

    const out = await succeeds(['client', 'delete', created.clientId, '--yes']);
    expect(out.trim()).toBe(`deleted OAuth client "to delete" (${created.clientId}); its tokens are revoked`);
    expect((await listed()).some((c) => c.clientId === created.clientId)).toBe(false);
    expect((await tokenFor(created)).body.error).toBe('invalid_client');
  });

  it('client delete at a terminal deletes only once the client name is typed', async () => {
    const created = await create('typed name');
    const prompt = 'Type its name to confirm: ';
    const wrong = await runAtTerminal(['client', 'delete', created.clientId], cliEnv(dataDir), 'agents-api', prompt);
    expect(wrong.code).toBe(1);
    expect(wrong.shown).toContain(`Delete OAuth client "typed name" (${created.clientId})?`);
    expect(wrong.shown).toContain('latchkey: client delete: not confirmed; nothing deleted');
    expect((await listed()).some((c) => c.clientId === created.clientId)).toBe(true);

    const right = await runAtTerminal(['client', 'delete', created.clientId], cliEnv(dataDir), 'typed name', prompt);
    expect(right.code).toBe(0);
    expect(right.shown).toContain(`deleted OAuth client "typed name" (${created.clientId})`);
    expect((await listed()).some((c) => c.clientId === created.clientId)).toBe(false);
  });

  it('names an unknown client id in one line', async () => {
    await failsWith(
      ['client', 'rotate-secret', 'latchkey_client_nope'],
      /^latchkey: no OAuth client with id latchkey_client_nope$/,
    );
    await failsWith(
      ['client', 'delete', 'latchkey_client_nope', '--yes'],
      /^latchkey: no OAuth client with id latchkey_client_nope$/,
    );
  });

  it('records the operator as the actor of every change, from the command line', async () => {
    const created = await create('audited');
    await succeeds(['client', 'rotate-secret', created.clientId]);
    await succeeds(['client', 'delete', created.clientId, '--yes']);
    const core = await openCore(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    try {
      for (const type of ['oauth_client_registered', 'oauth_client_secret_rotated', 'oauth_client_deleted']) {
        const event = (await core.stores.audit.listByType(type, 100)).find(
          (e) => e.details?.clientId === created.clientId,
        );
        expect(event, type).toMatchObject({ userId: null, ip: 'cli', userAgent: 'latchkey cli' });
      }
    } finally {
      await core.close();
    }
  });
});

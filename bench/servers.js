// The two servers under test, both in this process: Latchkey on the embedded default (SQLite in a
// temp DATA_DIR) and a bare Fastify with one trivial route, the baseline for the HTTP layer alone.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { loadConfig } from '../dist/config/index.js';
import { createUser } from '../dist/core/index.js';
import { writeAtEndOfTurn } from '../dist/http/write-coalescing.js';
import { createLatchkey } from '../dist/server.js';

export const HOST = '127.0.0.1';
export const BENCH_USER = { email: 'bench@example.com', password: 'bench-password-123' };
// Far above anything the bench can send in its run, so no request is refused by the limits.
const UNLIMITED = '1000000';

function baseUrlOf(app) {
  const { port } = app.server.address();
  return `http://${HOST}:${port}`;
}

/** A loopback port that was free a moment ago. */
async function freePort() {
  const server = createServer().listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Latchkey with a temp DATA_DIR on a free port, plus the bench user. The port is chosen first, so
 * PUBLIC_URL (the issuer its metadata names) is where it listens: @latchkey/verify discovers from it.
 * `env` adds or overrides settings.
 */
export async function startLatchkey(env = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'latchkey-bench-'));
  const config = loadConfig({
    PORT: String(await freePort()),
    HOST,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    LOGIN_RATE_LIMIT: UNLIMITED,
    LOCKOUT_MAX_FAILURES: UNLIMITED,
    FLAT_REFRESH_ROTATION: 'false',
    ...env,
  });
  const latchkey = await createLatchkey(config, { logger: pino({ level: 'silent' }) });
  await createUser(latchkey.core, { ...BENCH_USER });
  await latchkey.app.listen({ port: config.port, host: HOST });
  return {
    url: baseUrlOf(latchkey.app),
    core: latchkey.core,
    config,
    async close() {
      await latchkey.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A bare Fastify with one GET route and no hooks, logger or schema; with `coalesced`, plus
 * Latchkey's hook that writes responses at the end of the event loop's turn (stock Fastify writes
 * each at once), to tell that hook's gain from the rest.
 */
export async function startBare({ coalesced = false } = {}) {
  const app = Fastify({ logger: false });
  if (coalesced) app.addHook('onSend', writeAtEndOfTurn);
  app.get('/', async () => ({ ok: true }));
  await app.listen({ port: 0, host: HOST });
  return { url: baseUrlOf(app), close: () => app.close() };
}

async function postJson(url, body, headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Logs the bench user in once on each surface: a v1 access token for the guarded route, and a
 * flat-surface refresh token for the refresh scenario (see run.js for why the flat surface); then
 * creates a personal access token and an ingest API key with that session.
 */
export async function mintTokens(baseUrl) {
  const v1 = await postJson(`${baseUrl}/api/v1/auth/login`, BENCH_USER);
  const flat = await postJson(`${baseUrl}/api/auth/login`, BENCH_USER);
  const session = { authorization: `Bearer ${v1.data.token}` };
  const pat = await postJson(`${baseUrl}/api/v1/tokens`, { name: 'bench', scopes: ['agents:read'] }, session);
  const key = await postJson(`${baseUrl}/api/settings/api-key`, {}, session);
  return {
    accessToken: v1.data.token,
    flatRefreshToken: flat.refresh_token,
    personalAccessToken: pat.data.token,
    ingestKey: key.api_key,
  };
}

// The soak: `npm run soak` (builds first; not part of CI). Latchkey runs as its own process on
// PostgreSQL + Redis while this one sends mixed traffic at a fixed rate (logins, refreshes,
// authenticated reads, PAT and ingest-key checks, logouts) and, each minute, prints the server's
// RSS and open file descriptors and every route's p50/p99. It fails (exit 1) when, after warm-up,
// memory or descriptors grow beyond the bounds below, a route's p99 drifts, or any request got a 5xx.
//
//   SOAK_MINUTES   minutes of traffic (default 60; the first fifth, at least one, is warm-up)
//   SOAK_RATE      requests per second (default 100)
//   SOAK_DATABASE_URL / SOAK_REDIS_URL  (default the machine's loopback PostgreSQL `test`, Redis db 14)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 60);
const RATE = Number(process.env.SOAK_RATE ?? 100);
const DATABASE_URL = process.env.SOAK_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.SOAK_REDIS_URL ?? 'redis://127.0.0.1:6379/14';
const WARMUP_MINUTES = Math.max(1, Math.round(MINUTES / 5));
// The bounds: RSS may grow 20% (at least 32 MiB) past its warm-up peak; descriptors by 20; a
// route's p99 in the last minute may be at most twice its warm-up p99 plus 10 ms of noise.
const BOUNDS = { rssGrowth: 0.2, rssSlackBytes: 32 * 2 ** 20, fdGrowth: 20, p99Factor: 2, p99SlackMs: 10 };
const USERS = 20;
const PASSWORD = 'soak-password-123';
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

if (!(MINUTES > 0 && RATE > 0 && RATE <= 2000)) {
  console.error('SOAK_MINUTES and SOAK_RATE: expected positive numbers (rate at most 2000/s)');
  process.exit(2);
}

const schema = `soak_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: DATABASE_URL });
await admin.connect();
await admin.query(`create schema ${schema}`);
const url = new URL(DATABASE_URL);
url.searchParams.set('options', `-c search_path=${schema}`);
const port = 20000 + Math.floor(Math.random() * 20000);
const env = {
  PATH: process.env.PATH,
  DATABASE_URL: url.toString(),
  REDIS_URL,
  LATCHKEY_SECRET: randomBytes(32).toString('hex'),
  PORT: String(port),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  // One client address sends everything: the per-IP limits would measure themselves.
  LOGIN_RATE_LIMIT: '1000000',
};
const base = `http://127.0.0.1:${port}`;

const server = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;
server.once('exit', (code) => {
  if (!stopping) {
    console.error(`latchkey exited (${code}) during the soak`);
    process.exit(1);
  }
});

async function call(method, path, { body, token, apiKey } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  if (apiKey) headers['x-api-key'] = apiKey;
  const response = await fetch(base + path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {}
  if (i > 100) throw new Error('latchkey did not start');
  await new Promise((resolve) => setTimeout(resolve, 200));
}

// The accounts, each with a session, a PAT and an ingest key.
const accounts = [];
for (let i = 0; i < USERS; i++) {
  const email = `soak-${i}@example.com`;
  const signup = await call('POST', '/api/v1/auth/register', { body: { email, password: PASSWORD } });
  const { token, refreshToken } = signup.body.data;
  const pat = await call('POST', '/api/v1/tokens', { token, body: { name: 'soak', scopes: ['agents:read'] } });
  const key = await call('POST', '/api/settings/api-key', { token, body: {} });
  accounts.push({ email, token, refreshToken, pat: pat.body.data.token, apiKey: key.body.api_key });
}

const pick = (list) => list[Math.floor(Math.random() * list.length)];

// Each request kind: its share of the traffic and what it does. A logout is followed by a login.
const MIX = [
  [0.3, 'GET /api/v1/auth/me', (a) => call('GET', '/api/v1/auth/me', { token: a.token })],
  [0.25, 'GET /api/v1/agents', (a) => call('GET', '/api/v1/agents', { token: a.token })],
  [0.15, 'GET /api/v1/agents (PAT)', (a) => call('GET', '/api/v1/agents', { token: a.pat })],
  [0.15, 'GET /api/ingest/ping', (a) => call('GET', '/api/ingest/ping', { apiKey: a.apiKey })],
  [
    0.1,
    'POST /api/v1/auth/refresh',
    async (a) => {
      const res = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: a.refreshToken } });
      if (res.status === 200) Object.assign(a, res.body.data);
      return res;
    },
  ],
  [
    0.05,
    'logout + POST /api/v1/auth/login',
    async (a) => {
      await call('POST', '/api/v1/auth/logout', { token: a.token });
      const res = await call('POST', '/api/v1/auth/login', { body: { email: a.email, password: PASSWORD } });
      if (res.status === 200) Object.assign(a, res.body.data);
      return res;
    },
  ],
];

function kindOf() {
  let r = Math.random();
  for (const kind of MIX) if ((r -= kind[0]) < 0) return kind;
  return MIX[0];
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0;
}

function serverUsage() {
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
  return { rss, fds: readdirSync(`/proc/${server.pid}/fd`).length };
}

const minutes = [];
let current = new Map();
let serverErrors = 0;
let busy = new Set();

function send() {
  // Open loop at a fixed rate; an account is used by one request at a time, as one client would.
  const idle = accounts.filter((a) => !busy.has(a));
  if (idle.length === 0) return;
  const account = pick(idle);
  const [, name, run] = kindOf();
  const started = performance.now();
  busy.add(account);
  run(account)
    .then((res) => {
      if (res.status >= 500) serverErrors += 1;
      const entry = current.get(name) ?? { times: [], statuses: {} };
      entry.times.push(performance.now() - started);
      entry.statuses[res.status] = (entry.statuses[res.status] ?? 0) + 1;
      current.set(name, entry);
    })
    .catch(() => (serverErrors += 1))
    .finally(() => busy.delete(account));
}

const interval = setInterval(send, 1000 / RATE);
for (let minute = 1; minute <= MINUTES; minute++) {
  await new Promise((resolve) => setTimeout(resolve, 60_000));
  const routes = {};
  for (const [name, { times, statuses }] of current) {
    const sorted = Float64Array.from(times).sort();
    routes[name] = { count: times.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), statuses };
  }
  current = new Map();
  const usage = serverUsage();
  minutes.push({ minute, ...usage, routes });
  const summary = Object.entries(routes)
    .map(([name, r]) => {
      const other = Object.entries(r.statuses).filter(([status]) => !status.startsWith('2'));
      const odd = other.length ? ` (${other.map(([status, n]) => `${n}x${status}`).join(' ')})` : '';
      return `${name} ${r.count}${odd} p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)}`;
    })
    .join(' | ');
  console.log(`min ${minute}: rss ${(usage.rss / 2 ** 20).toFixed(1)} MiB, fds ${usage.fds} | ${summary}`);
}
clearInterval(interval);
busy = new Set();

stopping = true;
server.kill('SIGTERM');
await once(server, 'exit');
await admin.query(`drop schema ${schema} cascade`);
await admin.end();

// The verdict: the warm-up's worst against the last minute.
const warm = minutes.slice(0, WARMUP_MINUTES);
const last = minutes.at(-1);
const failures = [];
if (minutes.length > WARMUP_MINUTES) {
  const peakRss = Math.max(...warm.map((m) => m.rss));
  const rssBound = peakRss + Math.max(BOUNDS.rssSlackBytes, peakRss * BOUNDS.rssGrowth);
  if (last.rss > rssBound) failures.push(`RSS grew to ${last.rss} bytes (bound ${Math.round(rssBound)})`);
  const peakFds = Math.max(...warm.map((m) => m.fds));
  if (last.fds > peakFds + BOUNDS.fdGrowth) failures.push(`descriptors grew from ${peakFds} to ${last.fds}`);
  for (const [name, route] of Object.entries(last.routes)) {
    const warmP99 = Math.max(...warm.map((m) => m.routes[name]?.p99 ?? 0));
    const bound = warmP99 * BOUNDS.p99Factor + BOUNDS.p99SlackMs;
    if (route.p99 > bound) failures.push(`${name}: p99 ${route.p99.toFixed(1)} ms (bound ${bound.toFixed(1)})`);
  }
}
if (serverErrors > 0) failures.push(`${serverErrors} requests got a 5xx or no answer`);
console.log(failures.length ? `FAIL\n${failures.join('\n')}` : `PASS (${MINUTES} min at ${RATE}/s)`);
process.exit(failures.length ? 1 : 0);

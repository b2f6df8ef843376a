import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASSWORD, caller, registerV1 } from './helpers/api.js';
import { Served } from './helpers/cli.js';
import { freePort } from './helpers/ports.js';
import { type TestServer, uniqueEmail, useServer } from './helpers/server.js';
import { embeddedTarget, postgresTarget } from './helpers/targets.js';

const TOKEN = 'metrics-secret-0123456789abcdef0123456789';

/** The samples of a Prometheus text exposition, as `name{labels}` → value. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

async function scrape(server: TestServer): Promise<Map<string, number>> {
  const res = await server.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(res.body);
}

describe.each([
  ['embedded', embeddedTarget],
  ['PostgreSQL + Redis', () => postgresTarget()],
] as const)('GET /metrics (%s)', (_name, create) => {
  const { server } = useServer(create, { METRICS_TOKEN: TOKEN });

  it('answers only a bearer of METRICS_TOKEN', async () => {
    for (const authorization of [undefined, 'Bearer nope', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN]) {
      const res = await server.app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.body).not.toContain('latchkey_');
    }
  });

  it('counts requests by route template, logins by result, security events and revocations', async () => {
    const http = caller(server);
    const email = uniqueEmail('metrics');
    await registerV1(http, email);
    const before = await scrape(server);
    const login = await http.post('/api/v1/auth/login', { email, password: PASSWORD });
    await http.post('/api/v1/auth/login', { email, password: 'wrong password!' });
    await http.post('/api/auth/login', { email, password: PASSWORD });
    await http.get('/api/v1/agents/agent_nope', login.body.data.token);
    await http.get('/api/no/such/path');
    await http.post('/api/v1/auth/logout', undefined, login.body.data.token);
    const after = await scrape(server);
    const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);

    expect(delta('latchkey_logins_total{result="success"}')).toBe(2);
    expect(delta('latchkey_logins_total{result="invalid"}')).toBe(1);
    expect(delta('latchkey_http_requests_total{method="POST",route="/api/v1/auth/login",status="200"}')).toBe(1);
    expect(delta('latchkey_http_requests_total{method="POST",route="/api/v1/auth/login",status="401"}')).toBe(1);
    // Ids and unknown paths never become label values.
    expect(delta('latchkey_http_requests_total{method="GET",route="/api/v1/agents/:id",status="404"}')).toBe(1);
    expect(delta('latchkey_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect([...after.keys()].some((k) => k.includes('agent_nope') || k.includes('/no/such'))).toBe(false);
    expect(delta('latchkey_security_events_total{type="login_failed"}')).toBe(1);
    expect(delta('latchkey_security_events_total{type="logout"}')).toBe(1);
    // The logout revokes its access token and its session.
    expect(delta('latchkey_revocations_total')).toBe(2);
    expect(delta('latchkey_http_request_duration_seconds_count{method="POST",route="/api/v1/auth/login"}')).toBe(2);
  });

  it('reports the dependencies, the event loop and the build', async () => {
    const samples = await scrape(server);
    expect(samples.get('latchkey_dependency_up{dependency="database"}')).toBe(1);
    expect(samples.get('latchkey_dependency_up{dependency="kv"}')).toBe(1);
    expect(samples.get('latchkey_dependency_probe_seconds{dependency="database"}')).toBeGreaterThan(0);
    expect(samples.get('latchkey_nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    const build = [...samples.keys()].find((k) => k.startsWith('latchkey_build_info{'));
    expect(build).toMatch(/^latchkey_build_info\{version="\d+\.\d+\.\d+",node="20\./);
  });
});

describe('metrics off by default', () => {
  const { server } = useServer(embeddedTarget);

  it('has no /metrics route and counts nothing', async () => {
    const res = await server.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    // A path of no route: the dashboard's page, when it is built, or a 404.
    expect(res.headers['content-type']).not.toMatch(/^text\/plain/);
    expect(res.body).not.toContain('latchkey_');
    expect(server.app.metrics).toBeUndefined();
  });
});

describe('METRICS_PORT: a listener of its own', () => {
  it('serves /metrics there without a secret, and nothing else; the main port has no /metrics', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-metrics-'));
    const port = await freePort();
    const served = await Served.start(dataDir, { METRICS_PORT: String(port) });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(parseExposition(await res.text()).get('latchkey_dependency_up{dependency="kv"}')).toBe(1);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(404);
      expect(await (await fetch(`${served.base}/metrics`)).text()).not.toContain('latchkey_');
    } finally {
      await served.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

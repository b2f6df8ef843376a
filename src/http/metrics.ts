import { createServer, type Server } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import client from 'prom-client';
import type { Core } from '../core/index.js';
import { safeEqual, sha256Hex } from '../core/index.js';

/** The password login routes (and their second steps), whose answers `latchkey_logins_total` counts. */
const LOGIN_ROUTES = new Set([
  '/api/v1/auth/login',
  '/api/auth/login',
  '/api/v1/auth/verify-2fa',
  '/api/auth/mfa/verify',
]);

/** What a login route's answer says about the attempt. */
function loginResult(status: number, payload: unknown): string {
  if (status === 200) {
    const text = typeof payload === 'string' ? payload : '';
    return text.includes('"requires2FA":true') || text.includes('"mfa_required":true') ? 'second_factor' : 'success';
  }
  if (status === 401) return 'invalid';
  if (status === 423) return 'locked';
  if (status === 429) return 'rate_limited';
  if (status === 403) return 'refused';
  return status >= 500 ? 'unavailable' : 'bad_request';
}

async function probe(check: () => Promise<void>): Promise<{ up: number; seconds: number }> {
  const started = process.hrtime.bigint();
  const up = await check().then(
    () => 1,
    () => 0,
  );
  return { up, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set when METRICS_TOKEN or METRICS_PORT is. */
    metrics?: Metrics;
  }
}

export interface Metrics {
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
  contentType: string;
}

/**
 * Latchkey's Prometheus metrics, in a registry of its own: requests by route and status, logins
 * by result, audited security events by type, revocations, database and kv availability (probed
 * at scrape), and Node's process metrics (event-loop lag among them).
 */
export function createMetrics(app: FastifyInstance, core: Core, version: string): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'latchkey_' });
  const build = new client.Gauge({
    name: 'latchkey_build_info',
    help: 'Always 1; the labels name the build',
    labelNames: ['version', 'node'],
    registers: [registry],
  });
  build.set({ version, node: process.versions.node }, 1);

  const requests = new client.Counter({
    name: 'latchkey_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'latchkey_http_request_duration_seconds',
    help: 'Time to answer, by method and route template',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const logins = new client.Counter({
    name: 'latchkey_logins_total',
    help: 'Password logins and second steps, by result',
    labelNames: ['result'],
    registers: [registry],
  });
  const events = new client.Counter({
    name: 'latchkey_security_events_total',
    help: 'Audited security events (refresh, refresh_reuse_detected, account_locked, ...), by type',
    labelNames: ['type'],
    registers: [registry],
  });
  const revocations = new client.Counter({
    name: 'latchkey_revocations_total',
    help: 'Denylist entries recorded by this instance (tokens, sessions, credentials, users, clients)',
    registers: [registry],
  });
  const { stores } = core;
  new client.Gauge({
    name: 'latchkey_dependency_up',
    help: '1 when the dependency answered the scrape-time probe, else 0',
    labelNames: ['dependency'],
    registers: [registry],
    async collect() {
      const [database, kv] = await Promise.all([probe(stores.pingDatabase), probe(stores.kv.ping)]);
      this.set({ dependency: 'database' }, database.up);
      this.set({ dependency: 'kv' }, kv.up);
      latency.set({ dependency: 'database' }, database.seconds);
      latency.set({ dependency: 'kv' }, kv.seconds);
    },
  });
  const latency = new client.Gauge({
    name: 'latchkey_dependency_probe_seconds',
    help: 'How long the scrape-time probe of the dependency took',
    labelNames: ['dependency'],
    registers: [registry],
  });

  core.audit.onRecorded((type) => events.inc({ type }));
  core.denylist.onRecorded((recorded) => revocations.inc(recorded.length));

  // Callback hooks: they run on every request, and the promise of an async one costs measurably.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (LOGIN_ROUTES.has(request.routeOptions.url ?? ''))
      logins.inc({ result: loginResult(reply.statusCode, payload) });
    done(null, payload);
  });
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    // The route template, never the raw URL: ids and junk paths must not mint label values.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });

  return { render: () => registry.metrics(), contentType: registry.contentType };
}

/** GET /metrics on the main port, for a bearer of METRICS_TOKEN only (compared in constant time). */
export function metricsRoute(app: FastifyInstance, metrics: Metrics, token: string): void {
  const expected = sha256Hex(`Bearer ${token}`);
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!safeEqual(sha256Hex(request.headers.authorization ?? ''), expected)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ error: 'unauthorized' });
    }
    return reply.header('content-type', metrics.contentType).send(await metrics.render());
  });
}

/** A listener of its own for GET /metrics (METRICS_PORT), for a scraper on a private network. */
export async function listenForMetrics(metrics: Metrics, port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metrics.render().then(
      (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      () => response.writeHead(503).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

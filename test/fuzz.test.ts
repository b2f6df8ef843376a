import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createUser } from '../src/core/index.js';
import { PASSWORD, caller, createPat } from './helpers/api.js';
import { captureLog } from './helpers/log-capture.js';
import { newClient } from './helpers/oauth.js';
import { type JsonSchema, schemaValue } from './helpers/schema-arbitrary.js';
import { type TestServer, uniqueEmail, uniqueIp, useServer } from './helpers/server.js';
import { embeddedTarget, postgresTarget } from './helpers/targets.js';

/** CI runs 10,000 cases per target; `npm run fuzz` sets a million (FUZZ_RUNS) and prints the tally. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const REPORT = process.env.FUZZ_REPORT === '1';

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  query: Record<string, JsonSchema>;
  contentType: string | undefined;
  body: JsonSchema | undefined;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT' | 'OPTIONS' | 'HEAD';

function operationsOf(document: any): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries<any>(document.paths)) {
    for (const [method, operation] of Object.entries<any>(methods)) {
      const parameters: any[] = operation.parameters ?? [];
      const content = operation.requestBody?.content ?? {};
      const contentType = Object.keys(content)[0];
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: Object.fromEntries(parameters.filter((p) => p.in === 'query').map((p) => [p.name, p.schema])),
        contentType,
        body: contentType ? content[contentType].schema : undefined,
      });
    }
  }
  return operations;
}

/** Credentials a case may carry: none, garbage, or real ones, so handlers behind the guard are reached too. */
type Credential = 'none' | 'garbage' | 'user' | 'admin' | 'pat' | 'ingest' | 'client';

interface Credentials {
  user: string;
  admin: string;
  pat: string;
  ingest: string;
  client: string;
}

/** A fresh account of `role`, logged in, with a PAT and an ingest key. */
async function issueCredentials(server: TestServer): Promise<Credentials> {
  const http = caller(server);
  const login = async (role: 'USER' | 'ADMIN') => {
    const email = uniqueEmail(`fuzz-${role.toLowerCase()}`);
    await createUser(server.core, { email, password: PASSWORD, role });
    const res = await http.post('/api/v1/auth/login', { email, password: PASSWORD });
    if (res.status !== 200) throw new Error(`fuzz login failed: ${res.status}`);
    return res.body.data.token as string;
  };
  const user = await login('USER');
  const admin = await login('ADMIN');
  const pat = await createPat(http, user, ['agents:read', 'agents:write', 'voicelogs:read']);
  const key = await http.post('/api/settings/api-key', {}, user);
  const client = await newClient(server, { canIntrospect: true, canReadRevocations: true });
  return { user, admin, pat, ingest: key.body.api_key, client: client.basic };
}

/** Whether every credential still authenticates (a case may have revoked one). */
async function stillValid(server: TestServer, credentials: Credentials): Promise<boolean> {
  const http = caller(server);
  const answers = await Promise.all([
    http.get('/api/v1/auth/me', credentials.user),
    http.get('/api/v1/auth/me', credentials.admin),
    http.get('/api/v1/agents', credentials.pat),
  ]);
  const ping = await server.app.inject({ url: '/api/ingest/ping', headers: { 'x-api-key': credentials.ingest } });
  return ping.statusCode === 200 && answers.every((res) => res.status === 200);
}

const segment = fc.oneof(
  { weight: 3, arbitrary: fc.uuid() },
  fc.constantFrom('0', '-1', '%00', '..', '%2e%2e', 'a'.repeat(300), '__proto__', '%F0%9F%98%80', '%ZZ'),
  fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent),
);

/** A serialised body: JSON of a schema value, or something else under some content type. */
function bodyOf(operation: Operation): fc.Arbitrary<{ payload?: string; contentType?: string }> {
  const value = schemaValue(operation.body);
  const declared = operation.contentType ?? 'application/json';
  const encode = (v: unknown): string => {
    if (declared !== 'application/x-www-form-urlencoded' || !v || typeof v !== 'object' || Array.isArray(v)) {
      return JSON.stringify(v) ?? '';
    }
    const form = new URLSearchParams();
    for (const [k, x] of Object.entries(v)) form.append(k, typeof x === 'string' ? x : (JSON.stringify(x) ?? ''));
    return form.toString();
  };
  const hostile = fc.oneof(
    fc.constantFrom(
      '',
      '{',
      'null',
      '[]',
      '"x"',
      '{"a":1,"a":2}',
      '{"__proto__":{"role":"ADMIN"}}',
      '{"constructor":{"prototype":{"x":1}}}',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      `{"a":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`,
      'grant_type=client_credentials&grant_type=x',
      '--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc\r\n--x--',
      '\u0000\u0001\u0002',
    ),
    fc.string({ unit: 'binary', maxLength: 200 }),
  );
  const contentType = fc.oneof(
    { weight: 6, arbitrary: fc.constant(declared) },
    fc.constantFrom(
      'application/json',
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
      'multipart/form-data',
      'application/json; charset=utf-16',
      'application/json; charset=nope',
      '*/*',
      '',
    ),
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ payload: value.map(encode), contentType }) },
    { weight: 2, arbitrary: fc.record({ payload: hostile, contentType }) },
    { weight: 1, arbitrary: fc.constant({}) },
  );
}

const headerValue = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'Bearer',
    'Bearer ',
    'Basic',
    'Basic !!!',
    'Bearer a.b.c',
    'Bearer eyJhbGciOiJub25lIn0.e30.',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 120 }),
);

const extraHeaders = fc.dictionary(
  fc.constantFrom(
    'x-refresh-token-mode',
    'cookie',
    'accept',
    'x-forwarded-for',
    'origin',
    'last-event-id',
    'if-none-match',
    'user-agent',
    'accept-encoding',
    'content-length',
    'x-api-key',
  ),
  headerValue,
  { maxKeys: 3 },
);

function caseOf(operation: Operation) {
  const query = fc.record(
    Object.fromEntries(Object.entries(operation.query).map(([name, schema]) => [name, schemaValue(schema)])),
    { requiredKeys: [] },
  );
  return fc.record({
    operation: fc.constant(operation),
    method: fc.oneof(
      { weight: 12, arbitrary: fc.constant(operation.method as Method) },
      fc.constantFrom<Method>('PUT', 'OPTIONS', 'HEAD'),
    ),
    params: fc.array(segment, { minLength: operation.pathParams.length, maxLength: operation.pathParams.length }),
    query,
    strayQuery: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 2 }),
    body: bodyOf(operation),
    credential: fc.constantFrom<Credential>(
      'none',
      'garbage',
      'user',
      'user',
      'admin',
      'admin',
      'pat',
      'ingest',
      'client',
    ),
    garbage: headerValue,
    headers: extraHeaders,
  });
}

function queryString(query: Record<string, unknown>, stray: Record<string, string>): string {
  const params = new URLSearchParams(stray);
  for (const [name, value] of Object.entries(query)) {
    params.set(name, typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function fuzz(
  name: string,
  create: () => ReturnType<typeof embeddedTarget> | Promise<ReturnType<typeof embeddedTarget>>,
) {
  describe(`every route of both surfaces, fuzzed from the OpenAPI document (${name})`, () => {
    const log = captureLog();
    // Rate limits stay on (their refusals are answers too); only the CPU-bound hash is cheap.
    const { server } = useServer(create, {}, undefined, pino({ level: 'warn' }, log.stream));

    it(`answers ${RUNS} generated requests without a 5xx or an unhandled error`, {
      timeout: Math.max(120_000, RUNS * 30),
    }, async () => {
      const document = (await caller(server).get('/openapi.json')).body;
      // The SSE feed stays open by design; its JSON form (?since=) is fuzzed.
      const operations = operationsOf(document);
      let credentials = await issueCredentials(server);
      let issued = 1;
      const tally = new Map<string, number>();
      const failures: string[] = [];

      await fc.assert(
        fc.asyncProperty(fc.oneof(...operations.map(caseOf)), async (c) => {
          let path = c.operation.path;
          for (const [i, name] of c.operation.pathParams.entries()) path = path.replace(`{${name}}`, c.params[i]!);
          const query =
            c.operation.path === '/oauth/revocations' ? { ...c.query, since: String(c.query.since ?? 0) } : c.query;
          const headers: Record<string, string> = { ...c.headers };
          delete headers['content-length'];
          if (c.body.contentType !== undefined) headers['content-type'] = c.body.contentType;
          if (c.credential === 'garbage') headers.authorization = c.garbage;
          else if (c.credential === 'client') headers.authorization = credentials.client;
          else if (c.credential === 'ingest') headers['x-api-key'] = credentials.ingest;
          else if (c.credential !== 'none') headers.authorization = `Bearer ${credentials[c.credential]}`;
          const res = await server.app.inject({
            method: c.method,
            url: `${path}${queryString(query, c.strayQuery)}`,
            remoteAddress: uniqueIp(),
            headers,
            ...(c.body.payload === undefined || c.method === 'HEAD' ? {} : { payload: c.body.payload }),
          });
          const key = `${c.method} ${c.operation.path} ${res.statusCode}`;
          tally.set(key, (tally.get(key) ?? 0) + 1);
          if (res.statusCode >= 500) failures.push(`${c.method} ${path} → ${res.statusCode} ${res.body.slice(0, 300)}`);
          // A case that logged out, revoked or deleted what the next ones carry: issue new credentials.
          if (res.statusCode === 401 && c.credential !== 'none' && c.credential !== 'garbage') {
            if (!(await stillValid(server, credentials))) credentials = await issueCredentials(server);
            issued += 1;
          }
          return res.statusCode < 500;
        }),
        { numRuns: RUNS, endOnFailure: true },
      );

      if (REPORT)
        console.log(
          [...tally]
            .sort()
            .map(([k, n]) => `${k}: ${n}`)
            .join('\n'),
          `\n${RUNS} cases, ${issued} sets of credentials issued`,
        );
      expect(failures).toEqual([]);
      const errors = log.lines.filter((line) => JSON.parse(line).level >= 50);
      expect(errors).toEqual([]);
      // Each operation was reached, and some cases got past validation to a 2xx.
      const keys = [...tally.keys()];
      const unreached = operations.filter((op) => !keys.some((k) => k.startsWith(`${op.method} ${op.path} `)));
      expect(unreached).toEqual([]);
      expect([...tally.keys()].some((k) => k.endsWith(' 200') || k.endsWith(' 201'))).toBe(true);
    });
  });
}

fuzz('embedded', embeddedTarget);
fuzz('PostgreSQL + Redis', () => postgresTarget());

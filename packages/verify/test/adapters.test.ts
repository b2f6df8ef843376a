import { once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedTarget, type StorageTarget } from '../../../test/helpers/targets.js';
import { latchkey as expressLatchkey } from '../src/express.js';
import { latchkey as fastifyLatchkey } from '../src/fastify.js';
import { type LatchkeyEnv, latchkey as honoLatchkey } from '../src/hono.js';
import { createVerifier, type Verifier } from '../src/index.js';
import {
  clientCredentialsToken,
  newUser,
  registerResourceServer,
  type ServedLatchkey,
  serveLatchkey,
} from './helpers/latchkey.js';

/** Each framework serves GET /agents (agents:read) and POST /agents (agents:write), echoing the principal. */
const frameworks = {
  async fastify(verifier: Verifier) {
    const app = Fastify();
    await app.register(fastifyLatchkey, { verifier, scope: 'agents:read' });
    app.get('/agents', async (request) => request.auth);
    app.post('/agents', { config: { scope: 'agents:write' } }, async (request) => request.auth);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { server: app.server, close: () => app.close() };
  },
  async express(verifier: Verifier) {
    const app = express();
    app.get('/agents', expressLatchkey({ verifier, scope: 'agents:read' }), (req, res) => void res.json(req.auth));
    app.post('/agents', expressLatchkey({ verifier, scope: 'agents:write' }), (req, res) => void res.json(req.auth));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { server, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  },
  async hono(verifier: Verifier) {
    const app = new Hono<LatchkeyEnv>();
    app.get('/agents', honoLatchkey({ verifier, scope: 'agents:read' }), (c) => c.json(c.get('auth')));
    app.post('/agents', honoLatchkey({ verifier, scope: 'agents:write' }), (c) => c.json(c.get('auth')));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await once(server, 'listening');
    return { server, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  },
};

describe.each(Object.keys(frameworks) as (keyof typeof frameworks)[])(
  'the %s adapter over real HTTP, against a real Latchkey',
  (name) => {
    let target: StorageTarget;
    let latchkey: ServedLatchkey;
    let verifier: Verifier;
    let service: { server: Server; close(): Promise<unknown> };
    let base: string;

    beforeAll(async () => {
      target = embeddedTarget();
      latchkey = await serveLatchkey(target);
      verifier = createVerifier({ issuer: latchkey.base, ...(await registerResourceServer(latchkey.server)) });
      await verifier.ready();
      service = await frameworks[name](verifier);
      base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await service?.close();
      await verifier?.close();
      await latchkey?.server.close();
      await target?.dispose();
    });

    async function call(method: 'GET' | 'POST', headers: Record<string, string> = {}) {
      const response = await fetch(`${base}/agents`, { method, headers });
      return { status: response.status, headers: response.headers, body: (await response.json()) as any };
    }

    it("answers a user's token with the principal it put on the request", async () => {
      const user = await newUser(latchkey.server);
      const res = await call('GET', { authorization: `Bearer ${user.token}` });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ kind: 'user', sub: user.id, role: 'USER' });
    });

    it('answers 401 with a bare Bearer challenge when no token came', async () => {
      const res = await call('GET');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"');
      expect(res.body).toEqual({ error: { code: 'NO_BEARER_TOKEN', message: expect.any(String) } });
    });

    it('answers 401 invalid_token for a refused token', async () => {
      const res = await call('GET', { authorization: 'Bearer not.a.token' });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="api", error="invalid_token", error_description="[^"]+"$/,
      );
      expect(res.body.error.code).toBe('INVALID_TOKEN');
    });

    it('answers 403 insufficient_scope, naming the scope, for a client token without it', async () => {
      const caller = await registerResourceServer(latchkey.server, { canIntrospect: false, canReadRevocations: false });
      const token = await clientCredentialsToken(latchkey.base, caller, 'agents:read');
      expect((await call('GET', { authorization: `Bearer ${token}` })).status).toBe(200);
      const res = await call('POST', { authorization: `Bearer ${token}` });
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="api", error="insufficient_scope", scope="agents:write"/,
      );
      expect(res.body.error.code).toBe('INSUFFICIENT_SCOPE');
    });

    it('accepts a PAT through introspection, and an ingest key in X-API-Key', async () => {
      const user = await newUser(latchkey.server);
      expect((await call('GET', { authorization: `Bearer ${user.pat}` })).body).toMatchObject({ kind: 'pat' });
      const created = await fetch(`${latchkey.base}/api/settings/api-key`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      const { api_key: key } = (await created.json()) as { api_key: string };
      // An ingest key carries no scope: the scoped route refuses it.
      expect((await call('GET', { 'x-api-key': key })).status).toBe(403);
    });
  },
);

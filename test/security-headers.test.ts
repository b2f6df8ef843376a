import { describe, expect, it } from 'vitest';
import { API_CSP } from '../src/http/security-headers.js';
import { caller, registerV1 } from './helpers/api.js';
import { useServer, uniqueEmail } from './helpers/server.js';
import { embeddedTarget } from './helpers/targets.js';

// Headers and error texts, whatever the storage: one target is enough.
describe('API security headers', () => {
  const { server } = useServer(embeddedTarget);

  const directives = (csp: unknown) =>
    String(csp)
      .split(';')
      .map((directive) => directive.trim());

  function expectApiHeaders(headers: Record<string, unknown>): void {
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(directives(headers['content-security-policy'])).toEqual(directives(API_CSP));
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  }

  it('come with successes, errors and 404s on both surfaces', async () => {
    const client = caller(server);
    const { token } = await registerV1(client, uniqueEmail());
    const responses = [
      await client.get('/api/v1/agents', token),
      await client.get('/api/voicelogs', token),
      await client.post('/api/v1/auth/login', {}),
      await client.post('/api/auth/login', { email: 'a@b.co', password: 'wrong one' }),
      await client.get('/api/v1/nope'),
      await client.get('/api/nope'),
      await client.get('/.well-known/jwks.json'),
      await client.get('/healthz'),
    ];
    for (const res of responses) expectApiHeaders(res.headers);
  });

  it('do not echo the requested path, markup included, in a 404 on either surface', async () => {
    const path = '/%3Cscript%3Ealert(1)%3C%2Fscript%3E/<img src=x onerror=alert(1)>';
    for (const prefix of ['/api/v1', '/api']) {
      const res = await server.app.inject({ method: 'GET', url: `${prefix}${path}` });
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toMatch(/script|img|alert|%3C/i);
      expectApiHeaders(res.headers);
    }
    const v1 = await server.app.inject({ method: 'GET', url: `/api/v1${path}` });
    expect(JSON.parse(v1.body)).toEqual({
      success: false,
      error: { code: 'ROUTE_NOT_FOUND', message: 'Route not found' },
    });
    const flat = await server.app.inject({ method: 'DELETE', url: `/api${path}` });
    expect(JSON.parse(flat.body)).toEqual({ detail: 'Route not found', code: 'ROUTE_NOT_FOUND' });
  });

  it("answers a URL Fastify cannot route in the surface's shape, with the headers, without quoting it", async () => {
    const cases = [
      { url: '/api/v1/agents/%E0%A4%A<b>x</b>', status: 400, code: 'BAD_REQUEST', v1: true },
      { url: '/api/voicelogs/%zz<script>alert(1)</script>', status: 400, code: 'BAD_REQUEST', v1: false },
      { url: `/api/v1/agents/${'<b>'.repeat(40)}`, status: 414, code: 'URI_TOO_LONG', v1: true },
    ];
    for (const { url, status, code, v1 } of cases) {
      const res = await server.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(status);
      expect(res.body).not.toMatch(/script|<b>|%3C|FST_/i);
      const body = JSON.parse(res.body);
      expect(v1 ? body.error.code : body.code).toBe(code);
      if (v1) expect(body.success).toBe(false);
      else expect(typeof body.detail).toBe('string');
      expectApiHeaders(res.headers);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });
});

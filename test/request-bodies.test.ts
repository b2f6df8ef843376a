import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, registerV1 } from './helpers/api.js';
import { startServer, uniqueEmail, type TestServer } from './helpers/server.js';
import { TARGETS, type StorageTarget } from './helpers/targets.js';

// How bodies are read, whatever the storage: one target is enough.
describe('request bodies', () => {
  let target: StorageTarget;
  let server: TestServer;

  beforeAll(async () => {
    target = await TARGETS[0].create();
    server = await startServer(target, { LOGIN_RATE_LIMIT: '1000', BODY_LIMIT_BYTES: String(1024 * 1024) });
  });
  afterAll(async () => {
    await server?.close();
    await target?.dispose();
  });

  const send = (url: string, headers: Record<string, string>, payload?: string) =>
    server.app.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload }) });

  it('takes an empty body that says it is JSON as no body, on routes that take none', async () => {
    const { token } = await registerV1(caller(server), uniqueEmail());
    const res = await send('/api/auth/logout', {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ detail: expect.any(String) });
  });

  it('asks for the fields when an empty JSON body reaches a route that needs them', async () => {
    const res = await send('/api/v1/auth/login', { 'content-type': 'application/json' }, '');
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('VALIDATION_FAILED');
  });

  it('still refuses malformed JSON and prototype poisoning', async () => {
    const malformed = await send('/api/v1/auth/login', { 'content-type': 'application/json' }, '{"email":');
    expect(JSON.parse(malformed.body).error.code).toBe('INVALID_JSON');
    const poisoned = await send(
      '/api/v1/auth/login',
      { 'content-type': 'application/json' },
      '{"__proto__":{"admin":true},"email":"a@b.co","password":"x"}',
    );
    expect(poisoned.statusCode).toBe(400);
    expect(JSON.parse(poisoned.body).error.code).toBe('INVALID_JSON');
  });

  it('answers 415 to a text/plain body, as to any type but JSON', async () => {
    for (const type of ['text/plain', 'application/xml']) {
      const res = await send('/api/auth/login', { 'content-type': type }, 'email=a@b.co');
      expect(res.statusCode).toBe(415);
      expect(JSON.parse(res.body).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('says a missing field "is required"', async () => {
    const res = await caller(server).post('/api/v1/auth/login', { password: 'whatever it is' });
    expect(res.body.error).toEqual({ code: 'VALIDATION_FAILED', message: 'email: is required' });
  });

  describe('deeply nested JSON', () => {
    const arrays = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
    const objects = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
    const json = { 'content-type': 'application/json' };

    it("answers 400 JSON_TOO_DEEP in each surface's shape, before authentication, for thousands of levels", async () => {
      for (const body of [arrays(5000), objects(5000), `{"email":${arrays(5000)}}`]) {
        const v1 = await send('/api/v1/auth/login', json, body);
        expect(v1.statusCode).toBe(400);
        expect(JSON.parse(v1.body).error.code).toBe('JSON_TOO_DEEP');
        const flat = await send('/api/auth/login', json, body);
        expect(flat.statusCode).toBe(400);
        expect(JSON.parse(flat.body)).toEqual({ detail: expect.stringContaining('32'), code: 'JSON_TOO_DEEP' });
      }
    });

    it('answers 400 to 100,000 levels too: the parser itself does not overflow', async () => {
      for (const body of [arrays(100_000), objects(100_000)]) {
        const res = await send('/api/v1/auth/login', json, body);
        expect(res.statusCode).toBe(400);
        expect(JSON.parse(res.body).error.code).toBe('JSON_TOO_DEEP');
      }
    });

    it('lets 32 levels through to validation', async () => {
      const res = await send('/api/v1/auth/login', json, `{"email":${arrays(31)}}`);
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe('VALIDATION_FAILED');
      const deeper = await send('/api/v1/auth/login', json, `{"email":${arrays(32)}}`);
      expect(JSON.parse(deeper.body).error.code).toBe('JSON_TOO_DEEP');
    });
  });
});

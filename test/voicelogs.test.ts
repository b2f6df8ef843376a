import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { caller } from './helpers/api.js';
import type { ManualClock } from './helpers/clock.js';
import {
  ingestAccount,
  openIngestTestbed,
  upload,
  uploadedFiles,
  voiceLogsOf,
  type IngestTestbed,
} from './helpers/ingest.js';
import type { TestServer } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';
import { audioPart, wav } from './helpers/upload.js';

// Uploading itself is in ingest.test.ts; here, who may upload and who may read what was uploaded.
describe.each(TARGETS)('ingest keys and the voice-log list on $name', ({ create }) => {
  let testbed: IngestTestbed;
  let dataDir: string;
  let clock: ManualClock;
  let server: TestServer;

  beforeAll(async () => {
    testbed = await openIngestTestbed(create);
    ({ dataDir, clock, server } = testbed);
  });
  afterAll(async () => {
    await testbed?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('keys and tokens', () => {
    it('issues ingest keys as latchkey_test_... outside production', async () => {
      const { key } = await ingestAccount(server);
      expect(key).toMatch(/^latchkey_test_[0-9A-Za-z]{49}$/);
    });

    it('refuses a bearer token on /api/ingest/upload', async () => {
      const { userId, token } = await ingestAccount(server);
      const res = await upload(server, { authorization: `Bearer ${token}` }, [audioPart(wav(10))]);
      expect(res.statusCode).toBe(401);
      expect(JSON.parse(res.body).code).toBe('BEARER_NOT_ALLOWED_ON_INGEST');
      expect(uploadedFiles(dataDir, userId)).toEqual([]);
    });

    it('refuses an X-API-Key on /api/voicelogs, saying API keys only work on ingest endpoints', async () => {
      const { key } = await ingestAccount(server);
      for (const url of ['/api/voicelogs', '/api/voicelogs/vl_000000000000000000000000']) {
        const res = await server.app.inject({ method: 'GET', url, headers: { 'x-api-key': key } });
        expect(res.statusCode).toBe(401);
        const body = JSON.parse(res.body);
        expect(body.code).toBe('API_KEY_NOT_ALLOWED');
        expect(body.detail).toMatch(/^API keys only work on Ingest API endpoints \(\/api\/ingest\/\*\)/);
      }
      // Nor as a bearer token.
      const asBearer = await caller(server).get('/api/voicelogs', key);
      expect(asBearer.status).toBe(401);
      expect(asBearer.body.code).toBe('API_KEY_NOT_ALLOWED');
    });

    it('answers 401 NO_API_KEY without a key', async () => {
      const res = await upload(server, {}, [audioPart(wav(10))]);
      expect(res.statusCode).toBe(401);
      expect(JSON.parse(res.body)).toEqual({ detail: 'Missing X-API-Key header', code: 'NO_API_KEY' });
    });

    it('refuses a revoked key with 401 INVALID_API_KEY', async () => {
      const { userId, token, key } = await ingestAccount(server);
      const revoke = await server.app.inject({
        method: 'DELETE',
        url: '/api/settings/api-key',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(revoke.statusCode).toBe(200);
      const res = await upload(server, { 'x-api-key': key }, [audioPart(wav(10))]);
      expect(res.statusCode).toBe(401);
      expect(JSON.parse(res.body).code).toBe('INVALID_API_KEY');
      expect(uploadedFiles(dataDir, userId)).toEqual([]);
    });

    it('refuses a key with one character changed before any database lookup', async () => {
      const { key } = await ingestAccount(server);
      const lookup = vi.spyOn(server.core.stores.credentials, 'findActiveByHash');
      const ping = (apiKey: string) =>
        server.app.inject({ method: 'GET', url: '/api/ingest/ping', headers: { 'x-api-key': apiKey } });
      // The spy sees real lookups: the intact key is looked up once.
      expect((await ping(key)).statusCode).toBe(200);
      expect(lookup).toHaveBeenCalledTimes(1);
      lookup.mockClear();

      const at = 'latchkey_test_'.length + 20;
      const altered = key.slice(0, at) + (key[at] === 'a' ? 'b' : 'a') + key.slice(at + 1);
      for (const res of [await ping(altered), await upload(server, { 'x-api-key': altered }, [audioPart(wav(10))])]) {
        expect(res.statusCode).toBe(401);
        expect(JSON.parse(res.body)).toEqual({ detail: 'Invalid or revoked API key', code: 'INVALID_API_KEY' });
      }
      expect(lookup).not.toHaveBeenCalled();
    });

    it('asks a personal access token for the voicelogs:read scope', async () => {
      const { token } = await ingestAccount(server);
      const create = (scopes: string[]) => caller(server).post('/api/v1/tokens', { name: 'reader', scopes }, token);
      const reader = (await create(['voicelogs:read'])).body.data.token;
      const other = (await create(['agents:read'])).body.data.token;
      expect((await voiceLogsOf(server, reader)).status).toBe(200);
      const refused = await voiceLogsOf(server, other);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('INSUFFICIENT_SCOPE');
    });
  });

  describe('listing', () => {
    it('shows each user only their own voice logs', async () => {
      const alice = await ingestAccount(server);
      const bob = await ingestAccount(server);
      const res = await upload(server, { 'x-api-key': alice.key }, [audioPart(wav(10))]);
      expect(res.statusCode).toBe(201);
      const { id } = JSON.parse(res.body);

      expect((await voiceLogsOf(server, alice.token)).body.items.map((i: { id: string }) => i.id)).toEqual([id]);
      expect((await voiceLogsOf(server, bob.token)).body).toEqual({ items: [], total: 0, page: 1, page_size: 20 });
      const foreign = await caller(server).get(`/api/voicelogs/${id}`, bob.token);
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('NOT_FOUND');
      const unknown = await caller(server).get('/api/voicelogs/vl_000000000000000000000000', alice.token);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('NOT_FOUND');
    });

    it('pages newest first and validates page and page_size', async () => {
      const { token, key } = await ingestAccount(server);
      const ids: string[] = [];
      for (const title of ['first', 'second']) {
        const res = await upload(server, { 'x-api-key': key }, [audioPart(wav(10)), { name: 'title', value: title }]);
        expect(res.statusCode).toBe(201);
        ids.push(JSON.parse(res.body).id);
        clock.advance(1000);
      }
      const page1 = await voiceLogsOf(server, token, '?page_size=1');
      expect(page1.body).toMatchObject({ total: 2, page: 1, page_size: 1 });
      expect(page1.body.items.map((i: { id: string; metadata: object }) => [i.id, i.metadata])).toEqual([
        [ids[1], { title: 'second' }],
      ]);
      const page2 = await voiceLogsOf(server, token, '?page=2&page_size=1');
      expect(page2.body).toMatchObject({ total: 2, page: 2, page_size: 1 });
      expect(page2.body.items.map((i: { id: string }) => i.id)).toEqual([ids[0]]);
      const past = await voiceLogsOf(server, token, '?page=3&page_size=1');
      expect(past.body).toEqual({ items: [], total: 2, page: 3, page_size: 1 });

      for (const query of ['?page=0', '?page_size=0', '?page_size=101', '?page=abc']) {
        const res = await voiceLogsOf(server, token, query);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
    });
  });
});

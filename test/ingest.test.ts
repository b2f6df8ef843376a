import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { caller, registerV1 } from './helpers/api.js';
import { manualClock, type ManualClock } from './helpers/clock.js';
import { startServer, uniqueEmail, uniqueIp, type TestServer } from './helpers/server.js';
import { TARGETS, type StorageTarget } from './helpers/targets.js';
import { audioPart, multipart, waitFor, wav, type Part } from './helpers/upload.js';

describe.each(TARGETS)('ingest uploads on $name', ({ create }) => {
  let target: StorageTarget;
  let ownDataDir: string | undefined;
  let dataDir: string;
  let clock: ManualClock;
  let server: TestServer;
  /** A second instance over the same data, with a 1000-byte upload limit. */
  let small: TestServer;

  beforeAll(async () => {
    target = await create();
    // The embedded target keeps its database in DATA_DIR; the PostgreSQL one needs a folder for the files.
    if (target.env.DATA_DIR === undefined) ownDataDir = mkdtempSync(join(tmpdir(), 'latchkey-uploads-'));
    dataDir = target.env.DATA_DIR ?? ownDataDir!;
    clock = manualClock();
    server = await startServer(target, { DATA_DIR: dataDir }, clock);
    small = await startServer(target, { DATA_DIR: dataDir, UPLOAD_MAX_BYTES: '1000' });
  });
  afterAll(async () => {
    await small?.close();
    await server?.close();
    await target?.dispose();
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** A new user with a session token and an ingest key. */
  async function account(on: TestServer = server): Promise<{ userId: string; token: string; key: string }> {
    const client = caller(on);
    const { user, token } = await registerV1(client, uniqueEmail());
    const res = await client.post('/api/settings/api-key', {}, token);
    expect(res.status).toBe(201);
    return { userId: user.id, token, key: res.body.api_key };
  }

  function upload(on: TestServer, headers: Record<string, string>, parts: Part[]) {
    const { body, contentType } = multipart(parts);
    return on.app.inject({
      method: 'POST',
      url: '/api/ingest/upload',
      remoteAddress: uniqueIp(),
      headers: { 'content-type': contentType, ...headers },
      payload: body,
    });
  }

  function listOf(token: string, query = '', on: TestServer = server) {
    return caller(on).get(`/api/voicelogs${query}`, token);
  }

  /** Every file (final or `.part`) in the user's upload folder. */
  function filesOf(userId: string): string[] {
    try {
      return readdirSync(join(dataDir, 'uploads', userId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  describe('upload', () => {
    it('stores a WAV with its metadata, lists it, and keeps the same bytes on disk', async () => {
      const { userId, token, key } = await account();
      const audio = wav(4000);
      const res = await upload(server, { 'x-api-key': key }, [
        { name: 'title', value: 'Support call #42' },
        audioPart(audio),
        // Fields after the file are metadata too: clients put them in any order.
        { name: 'recorded_at', value: '2024-05-01T10:00:00Z' },
        { name: 'agent', value: 'Émile' },
      ]);
      expect(res.statusCode).toBe(201);
      const item = JSON.parse(res.body);
      expect(item).toEqual({
        id: expect.stringMatching(/^vl_[0-9a-f]{24}$/),
        filename: 'call.wav',
        content_type: 'audio/wav',
        size_bytes: audio.length,
        created_at: new Date(clock()).toISOString(),
        metadata: { title: 'Support call #42', recorded_at: '2024-05-01T10:00:00Z', agent: 'Émile' },
      });

      const list = await listOf(token);
      expect(list.status).toBe(200);
      expect(list.body).toEqual({ items: [item], total: 1, page: 1, page_size: 20 });
      const one = await caller(server).get(`/api/voicelogs/${item.id}`, token);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(item);

      expect(filesOf(userId)).toEqual([item.id]);
      expect(readFileSync(join(dataDir, 'uploads', userId, item.id)).equals(audio)).toBe(true);
      const record = await server.core.stores.voiceLogs.findForUser(userId, item.id);
      expect(record?.storagePath).toBe(`${userId}/${item.id}`);
      expect(record?.apiKeyId).toMatch(/^key_/);
    });

    it('keeps only the last segment of a file name, whatever the separators', async () => {
      const { userId, key } = await account();
      for (const [sent, stored] of [
        ['../../etc/evil.wav', 'evil.wav'],
        ['C:\\Users\\me\\rec.wav', 'rec.wav'],
        ['..', 'upload'],
      ] as const) {
        const res = await upload(server, { 'x-api-key': key }, [audioPart(wav(10), sent)]);
        expect(res.statusCode).toBe(201);
        const item = JSON.parse(res.body);
        expect(item.filename).toBe(stored);
        expect(filesOf(userId)).toContain(item.id);
      }
      expect(filesOf(userId)).toHaveLength(3);
      expect(readdirSync(join(dataDir, 'uploads')).filter((name) => !name.startsWith('user_'))).toEqual([]);
    });

    it('refuses a file that is not audio with 415, leaving no record and no file', async () => {
      const { userId, token, key } = await account();
      const res = await upload(server, { 'x-api-key': key }, [audioPart(Buffer.from('hello'), 'notes.txt', 'text/plain')]);
      expect(res.statusCode).toBe(415);
      expect(JSON.parse(res.body)).toEqual({
        detail: 'Unsupported content type text/plain: only audio files (audio/*) can be uploaded',
        code: 'UNSUPPORTED_AUDIO_TYPE',
      });
      const octets = await upload(server, { 'x-api-key': key }, [audioPart(wav(10), 'call.wav', 'application/octet-stream')]);
      expect(octets.statusCode).toBe(415);
      expect(JSON.parse(octets.body).code).toBe('UNSUPPORTED_AUDIO_TYPE');
      expect((await listOf(token)).body.total).toBe(0);
      expect(filesOf(userId)).toEqual([]);
    });

    it('accepts a file of exactly UPLOAD_MAX_BYTES and refuses one byte more with 413, leaving nothing behind', async () => {
      const { userId, token, key } = await account(small);
      const exact = wav(478); // 44 + 956 = 1000 bytes
      expect(exact.length).toBe(1000);
      const ok = await upload(small, { 'x-api-key': key }, [audioPart(exact)]);
      expect(ok.statusCode).toBe(201);
      const kept = JSON.parse(ok.body).id;

      for (const tooBig of [Buffer.concat([exact, Buffer.alloc(1)]), wav(5000)]) {
        const res = await upload(small, { 'x-api-key': key }, [audioPart(tooBig), { name: 'title', value: 'too long' }]);
        expect(res.statusCode).toBe(413);
        expect(JSON.parse(res.body)).toEqual({ detail: 'The file is larger than the upload limit of 1000 bytes', code: 'UPLOAD_TOO_LARGE' });
      }
      const list = await listOf(token, '', small);
      expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([kept]);
      expect(filesOf(userId)).toEqual([kept]);
    });

    it('stops writing at the limit while an over-limit upload is still arriving', async () => {
      const { userId, token, key } = await account(small);
      const address = await small.app.listen({ port: 0, host: '127.0.0.1' });
      const save = vi.spyOn(small.core.stores.uploads, 'save');
      const { body, contentType } = multipart([audioPart(wav(2000))]);
      const fileStart = body.indexOf('\r\n\r\n') + 4;
      const req = request(`${address}/api/ingest/upload`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': contentType, 'content-length': body.length },
      });
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        req.on('error', reject);
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
      });
      // 500 bytes of audio (under the limit) first: the server has started writing the file...
      req.write(body.subarray(0, fileStart + 500));
      await waitFor('the partial file', () => filesOf(userId).some((name) => name.endsWith('.part')));
      // ...then the rest, which crosses the limit mid-write.
      req.end(body.subarray(fileStart + 500));
      const res = await answer;
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).code).toBe('UPLOAD_TOO_LARGE');
      // The write itself failed (it was not completed and deleted afterwards).
      await expect(save.mock.results[0]!.value).rejects.toMatchObject({ code: 'UPLOAD_TOO_LARGE' });
      expect(filesOf(userId)).toEqual([]);
      expect((await listOf(token, '', small)).body.total).toBe(0);
    });

    it('deletes the stored file when the record cannot be written', async () => {
      const { userId, token, key } = await account();
      vi.spyOn(server.core.stores.voiceLogs, 'insert').mockRejectedValueOnce(new Error('database went away'));
      const res = await upload(server, { 'x-api-key': key }, [audioPart(wav(100))]);
      expect(res.statusCode).toBe(500);
      expect(JSON.parse(res.body)).toEqual({ detail: 'Internal server error', code: 'INTERNAL_ERROR' });
      expect(filesOf(userId)).toEqual([]);
      expect((await listOf(token)).body.total).toBe(0);
    });

    it('refuses a body cut short (no closing boundary) with 400, leaving nothing', async () => {
      const { userId, token, key } = await account();
      const { body, contentType } = multipart([audioPart(wav(2000))]);
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/ingest/upload',
        headers: { 'x-api-key': key, 'content-type': contentType },
        payload: body.subarray(0, body.length >> 1),
      });
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body)).toEqual({ detail: 'Malformed multipart body', code: 'BAD_REQUEST' });
      expect(filesOf(userId)).toEqual([]);
      expect((await listOf(token)).body.total).toBe(0);
    });

    it('answers 400 NO_FILE when no part named "file" carries a file', async () => {
      const { userId, token, key } = await account();
      for (const parts of [
        [{ name: 'title', value: 'no audio' }],
        [{ name: 'audio', filename: 'call.wav', contentType: 'audio/wav', data: wav(10) }],
        [{ name: 'file', value: 'not a file' }],
        [],
      ] as Part[][]) {
        const res = await upload(server, { 'x-api-key': key }, parts);
        expect(res.statusCode).toBe(400);
        expect(JSON.parse(res.body).code).toBe('NO_FILE');
      }
      expect((await listOf(token)).body.total).toBe(0);
      expect(filesOf(userId)).toEqual([]);
    });

    it('refuses a second file and too many fields with 413 TOO_MANY_PARTS, deleting the stored file', async () => {
      const { userId, token, key } = await account();
      const twoFiles = await upload(server, { 'x-api-key': key }, [audioPart(wav(10)), audioPart(wav(10), 'second.wav')]);
      expect(twoFiles.statusCode).toBe(413);
      expect(JSON.parse(twoFiles.body)).toEqual({ detail: 'An upload carries exactly one file', code: 'TOO_MANY_PARTS' });
      const fields = Array.from({ length: 21 }, (_, i) => ({ name: `f${i}`, value: 'x' }));
      const manyFields = await upload(server, { 'x-api-key': key }, [audioPart(wav(10)), ...fields]);
      expect(manyFields.statusCode).toBe(413);
      expect(JSON.parse(manyFields.body).code).toBe('TOO_MANY_PARTS');
      const longField = await upload(server, { 'x-api-key': key }, [audioPart(wav(10)), { name: 'title', value: 'x'.repeat(10 * 1024 + 1) }]);
      expect(longField.statusCode).toBe(400);
      expect(JSON.parse(longField.body)).toEqual({ detail: 'title: longer than 10240 bytes', code: 'VALIDATION_FAILED' });
      expect((await listOf(token)).body.total).toBe(0);
      expect(filesOf(userId)).toEqual([]);
    });

    it('refuses a body that is not multipart with 415 in the flat shape', async () => {
      const { key } = await account();
      const json = await server.app.inject({ method: 'POST', url: '/api/ingest/upload', headers: { 'x-api-key': key }, payload: { file: 'x' } });
      expect(json.statusCode).toBe(415);
      expect(JSON.parse(json.body)).toEqual({ detail: 'Send the upload as multipart/form-data', code: 'UNSUPPORTED_MEDIA_TYPE' });
      const raw = await server.app.inject({
        method: 'POST',
        url: '/api/ingest/upload',
        headers: { 'x-api-key': key, 'content-type': 'audio/wav' },
        payload: wav(10),
      });
      expect(raw.statusCode).toBe(415);
      expect(JSON.parse(raw.body).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('leaves no record and no file (not even .part) when the client disconnects mid-upload', async () => {
      const { userId, token, key } = await account();
      const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = new URL(address);
      const save = vi.spyOn(server.core.stores.uploads, 'save');
      const insert = vi.spyOn(server.core.stores.voiceLogs, 'insert');
      const { body, contentType } = multipart([audioPart(wav(200_000))]);
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      socket.write(
        `POST /api/ingest/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: ${key}\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      socket.write(body.subarray(0, body.length >> 1));
      // The server is writing the file: its .part exists.
      await waitFor('the partial file', () => filesOf(userId).some((name) => name.endsWith('.part')));
      expect(save).toHaveBeenCalledTimes(1);
      socket.destroy();

      // The server has handled the disconnect once its save settles (rejected: the file never completed).
      await expect(save.mock.results[0]!.value).rejects.toThrow();
      await waitFor('the partial file to go', () => filesOf(userId).length === 0);
      expect(filesOf(userId)).toEqual([]);
      expect(insert).not.toHaveBeenCalled();
      expect((await listOf(token)).body).toEqual({ items: [], total: 0, page: 1, page_size: 20 });
    });
  });

  describe('keys and tokens', () => {
    it('issues ingest keys as latchkey_test_... outside production', async () => {
      const { key } = await account();
      expect(key).toMatch(/^latchkey_test_[0-9A-Za-z]{49}$/);
    });

    it('refuses a bearer token on /api/ingest/upload', async () => {
      const { userId, token } = await account();
      const res = await upload(server, { authorization: `Bearer ${token}` }, [audioPart(wav(10))]);
      expect(res.statusCode).toBe(401);
      expect(JSON.parse(res.body).code).toBe('BEARER_NOT_ALLOWED_ON_INGEST');
      expect(filesOf(userId)).toEqual([]);
    });

    it('refuses an X-API-Key on /api/voicelogs, saying API keys only work on ingest endpoints', async () => {
      const { key } = await account();
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
      const { userId, token, key } = await account();
      const revoke = await server.app.inject({ method: 'DELETE', url: '/api/settings/api-key', headers: { authorization: `Bearer ${token}` } });
      expect(revoke.statusCode).toBe(200);
      const res = await upload(server, { 'x-api-key': key }, [audioPart(wav(10))]);
      expect(res.statusCode).toBe(401);
      expect(JSON.parse(res.body).code).toBe('INVALID_API_KEY');
      expect(filesOf(userId)).toEqual([]);
    });

    it('refuses a key with one character changed before any database lookup', async () => {
      const { key } = await account();
      const lookup = vi.spyOn(server.core.stores.credentials, 'findActiveByHash');
      const ping = (apiKey: string) => server.app.inject({ method: 'GET', url: '/api/ingest/ping', headers: { 'x-api-key': apiKey } });
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
      const { token } = await account();
      const create = (scopes: string[]) => caller(server).post('/api/v1/tokens', { name: 'reader', scopes }, token);
      const reader = (await create(['voicelogs:read'])).body.data.token;
      const other = (await create(['agents:read'])).body.data.token;
      expect((await listOf(reader)).status).toBe(200);
      const refused = await listOf(other);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('INSUFFICIENT_SCOPE');
    });
  });

  describe('listing', () => {
    it('shows each user only their own voice logs', async () => {
      const alice = await account();
      const bob = await account();
      const res = await upload(server, { 'x-api-key': alice.key }, [audioPart(wav(10))]);
      expect(res.statusCode).toBe(201);
      const { id } = JSON.parse(res.body);

      expect((await listOf(alice.token)).body.items.map((i: { id: string }) => i.id)).toEqual([id]);
      expect((await listOf(bob.token)).body).toEqual({ items: [], total: 0, page: 1, page_size: 20 });
      const foreign = await caller(server).get(`/api/voicelogs/${id}`, bob.token);
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('NOT_FOUND');
      const unknown = await caller(server).get('/api/voicelogs/vl_000000000000000000000000', alice.token);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('NOT_FOUND');
    });

    it('pages newest first and validates page and page_size', async () => {
      const { token, key } = await account();
      const ids: string[] = [];
      for (const title of ['first', 'second']) {
        const res = await upload(server, { 'x-api-key': key }, [audioPart(wav(10)), { name: 'title', value: title }]);
        expect(res.statusCode).toBe(201);
        ids.push(JSON.parse(res.body).id);
        clock.advance(1000);
      }
      const page1 = await listOf(token, '?page_size=1');
      expect(page1.body).toMatchObject({ total: 2, page: 1, page_size: 1 });
      expect(page1.body.items.map((i: { id: string; metadata: object }) => [i.id, i.metadata])).toEqual([[ids[1], { title: 'second' }]]);
      const page2 = await listOf(token, '?page=2&page_size=1');
      expect(page2.body).toMatchObject({ total: 2, page: 2, page_size: 1 });
      expect(page2.body.items.map((i: { id: string }) => i.id)).toEqual([ids[0]]);
      const past = await listOf(token, '?page=3&page_size=1');
      expect(past.body).toEqual({ items: [], total: 2, page: 3, page_size: 1 });

      for (const query of ['?page=0', '?page_size=0', '?page_size=101', '?page=abc']) {
        const res = await listOf(token, query);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
    });
  });
});

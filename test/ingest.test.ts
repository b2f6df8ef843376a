import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
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
import { audioPart, multipart, waitFor, wav, type Part } from './helpers/upload.js';

describe.each(TARGETS)('ingest uploads on $name', ({ create }) => {
  let testbed: IngestTestbed;
  let dataDir: string;
  let clock: ManualClock;
  let server: TestServer;
  /** A second instance over the same data, with a 1000-byte upload limit. */
  let small: TestServer;

  beforeAll(async () => {
    testbed = await openIngestTestbed(create);
    ({ dataDir, clock, server } = testbed);
    small = await testbed.startAnother({ UPLOAD_MAX_BYTES: '1000' });
  });
  afterAll(async () => {
    await testbed?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('upload', () => {
    it('stores a WAV with its metadata, lists it, and keeps the same bytes on disk', async () => {
      const { userId, token, key } = await ingestAccount(server);
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

      const list = await voiceLogsOf(server, token);
      expect(list.status).toBe(200);
      expect(list.body).toEqual({ items: [item], total: 1, page: 1, page_size: 20 });
      const one = await caller(server).get(`/api/voicelogs/${item.id}`, token);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(item);

      expect(uploadedFiles(dataDir, userId)).toEqual([`${item.id}.wav`]);
      expect(readFileSync(join(dataDir, 'uploads', userId, `${item.id}.wav`)).equals(audio)).toBe(true);
      const record = await server.core.stores.voiceLogs.findForUser(userId, item.id);
      expect(record?.storagePath).toBe(`${userId}/${item.id}.wav`);
      expect(record?.apiKeyId).toMatch(/^key_/);
    });

    it('keeps only the last segment of a file name, whatever the separators', async () => {
      const { userId, key } = await ingestAccount(server);
      for (const [sent, stored] of [
        ['../../etc/evil.wav', 'evil.wav'],
        ['C:\\Users\\me\\rec.wav', 'rec.wav'],
        ['..', 'upload'],
      ] as const) {
        const res = await upload(server, { 'x-api-key': key }, [audioPart(wav(10), sent)]);
        expect(res.statusCode).toBe(201);
        const item = JSON.parse(res.body);
        expect(item.filename).toBe(stored);
        expect(uploadedFiles(dataDir, userId)).toContain(`${item.id}.wav`);
      }
      expect(uploadedFiles(dataDir, userId)).toHaveLength(3);
      expect(readdirSync(join(dataDir, 'uploads')).filter((name) => !name.startsWith('user_'))).toEqual([]);
    });

    it('refuses a file that is not audio with 415, leaving no record and no file', async () => {
      const { userId, token, key } = await ingestAccount(server);
      const res = await upload(server, { 'x-api-key': key }, [
        audioPart(Buffer.from('hello'), 'notes.txt', 'text/plain'),
      ]);
      expect(res.statusCode).toBe(415);
      expect(JSON.parse(res.body)).toEqual({
        detail: 'Unsupported content type text/plain: only audio files (audio/*) can be uploaded',
        code: 'UNSUPPORTED_AUDIO_TYPE',
      });
      const octets = await upload(server, { 'x-api-key': key }, [
        audioPart(wav(10), 'call.wav', 'application/octet-stream'),
      ]);
      expect(octets.statusCode).toBe(415);
      expect(JSON.parse(octets.body).code).toBe('UNSUPPORTED_AUDIO_TYPE');
      expect((await voiceLogsOf(server, token)).body.total).toBe(0);
      expect(uploadedFiles(dataDir, userId)).toEqual([]);
    });

    it('accepts a file of exactly UPLOAD_MAX_BYTES and refuses one byte more with 413, leaving nothing behind', async () => {
      const { userId, token, key } = await ingestAccount(small);
      const exact = wav(478); // 44 + 956 = 1000 bytes
      expect(exact.length).toBe(1000);
      const ok = await upload(small, { 'x-api-key': key }, [audioPart(exact)]);
      expect(ok.statusCode).toBe(201);
      const kept = JSON.parse(ok.body).id;

      for (const tooBig of [Buffer.concat([exact, Buffer.alloc(1)]), wav(5000)]) {
        const res = await upload(small, { 'x-api-key': key }, [
          audioPart(tooBig),
          { name: 'title', value: 'too long' },
        ]);
        expect(res.statusCode).toBe(413);
        expect(JSON.parse(res.body)).toEqual({
          detail: 'The file is larger than the upload limit of 1000 bytes',
          code: 'UPLOAD_TOO_LARGE',
        });
      }
      const list = await voiceLogsOf(small, token);
      expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([kept]);
      expect(uploadedFiles(dataDir, userId)).toEqual([`${kept}.wav`]);
    });

    it('stops writing at the limit while an over-limit upload is still arriving', async () => {
      const { userId, token, key } = await ingestAccount(small);
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
      await waitFor('the partial file', () => uploadedFiles(dataDir, userId).some((name) => name.endsWith('.part')));
      // ...then the rest, which crosses the limit mid-write.
      req.end(body.subarray(fileStart + 500));
      const res = await answer;
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).code).toBe('UPLOAD_TOO_LARGE');
      // The write itself failed (it was not completed and deleted afterwards).
      await expect(save.mock.results[0]!.value).rejects.toMatchObject({ code: 'UPLOAD_TOO_LARGE' });
      expect(uploadedFiles(dataDir, userId)).toEqual([]);
      expect((await voiceLogsOf(small, token)).body.total).toBe(0);
    });

    it('deletes the stored file when the record cannot be written', async () => {
      const { userId, token, key } = await ingestAccount(server);
      vi.spyOn(server.core.stores.voiceLogs, 'insertWithinQuota').mockRejectedValueOnce(
        new Error('database went away'),
      );
      const res = await upload(server, { 'x-api-key': key }, [audioPart(wav(100))]);
      expect(res.statusCode).toBe(500);
      expect(JSON.parse(res.body)).toEqual({ detail: 'Internal server error', code: 'INTERNAL_ERROR' });
      expect(uploadedFiles(dataDir, userId)).toEqual([]);
      expect((await voiceLogsOf(server, token)).body.total).toBe(0);
    });

    it('refuses a body cut short (no closing boundary) with 400, leaving nothing', async () => {
      const { userId, token, key } = await ingestAccount(server);
      const { body, contentType } = multipart([audioPart(wav(2000))]);
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/ingest/upload',
        headers: { 'x-api-key': key, 'content-type': contentType },
        payload: body.subarray(0, body.length >> 1),
      });
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body)).toEqual({ detail: 'Malformed multipart body', code: 'BAD_REQUEST' });
      expect(uploadedFiles(dataDir, userId)).toEqual([]);
      expect((await voiceLogsOf(server, token)).body.total).toBe(0);
    });

    it('answers 400 NO_FILE when no part named "file" carries a file', async () => {
      const { userId, token, key } = await ingestAccount(server);
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
      expect((await voiceLogsOf(server, token)).body.total).toBe(0);
      expect(uploadedFiles(dataDir, userId)).toEqual([]);
    });

    it('refuses a second file and too many fields with 413 TOO_MANY_PARTS, deleting the stored file', async () => {
      const { userId, token, key } = await ingestAccount(server);
      const twoFiles = await upload(server, { 'x-api-key': key }, [
        audioPart(wav(10)),
        audioPart(wav(10), 'second.wav'),
      ]);
      expect(twoFiles.statusCode).toBe(413);
      expect(JSON.parse(twoFiles.body)).toEqual({
        detail: 'An upload carries exactly one file',
        code: 'TOO_MANY_PARTS',
      });
      const fields = Array.from({ length: 21 }, (_, i) => ({ name: `f${i}`, value: 'x' }));
      const manyFields = await upload(server, { 'x-api-key': key }, [audioPart(wav(10)), ...fields]);
      expect(manyFields.statusCode).toBe(413);
      expect(JSON.parse(manyFields.body).code).toBe('TOO_MANY_PARTS');
      const longField = await upload(server, { 'x-api-key': key }, [
        audioPart(wav(10)),
        { name: 'title', value: 'x'.repeat(10 * 1024 + 1) },
      ]);
      expect(longField.statusCode).toBe(400);
      expect(JSON.parse(longField.body)).toEqual({
        detail: 'title: longer than 10240 bytes',
        code: 'VALIDATION_FAILED',
      });
      expect((await voiceLogsOf(server, token)).body.total).toBe(0);
      expect(uploadedFiles(dataDir, userId)).toEqual([]);
    });

    it('refuses a body that is not multipart with 415 in the flat shape', async () => {
      const { key } = await ingestAccount(server);
      const json = await server.app.inject({
        method: 'POST',
        url: '/api/ingest/upload',
        headers: { 'x-api-key': key },
        payload: { file: 'x' },
      });
      expect(json.statusCode).toBe(415);
      expect(JSON.parse(json.body)).toEqual({
        detail: 'Send the upload as multipart/form-data',
        code: 'UNSUPPORTED_MEDIA_TYPE',
      });
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
      const { userId, token, key } = await ingestAccount(server);
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
      await waitFor('the partial file', () => uploadedFiles(dataDir, userId).some((name) => name.endsWith('.part')));
      expect(save).toHaveBeenCalledTimes(1);
      socket.destroy();

      // The server has handled the disconnect once its save settles (rejected: the file never completed).
      await expect(save.mock.results[0]!.value).rejects.toThrow();
      await waitFor('the partial file to go', () => uploadedFiles(dataDir, userId).length === 0);
      expect(uploadedFiles(dataDir, userId)).toEqual([]);
      expect(insert).not.toHaveBeenCalled();
      expect((await voiceLogsOf(server, token)).body).toEqual({ items: [], total: 0, page: 1, page_size: 20 });
    });
  });
});

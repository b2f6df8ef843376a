import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ingestAccount,
  openIngestTestbed,
  upload,
  uploadedFiles,
  voiceLogsOf,
  type IngestTestbed,
} from './helpers/ingest.js';
import { uniqueIp, type TestServer } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';
import { audioPart, wav } from './helpers/upload.js';

const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
/** An MP3 as most encoders write it: an ID3v2 tag, then MPEG-1 Layer III frames. */
const MP3 = Buffer.concat([
  Buffer.from('ID3'),
  Buffer.from([3, 0, 0, 0, 0, 0, 0]),
  Buffer.from([0xff, 0xfb, 0x90, 0x64]),
  Buffer.alloc(413),
]);

describe.each(TARGETS)('what an upload may contain, on $name', ({ create }) => {
  let testbed: IngestTestbed;
  let dataDir: string;
  let server: TestServer;

  beforeAll(async () => {
    testbed = await openIngestTestbed(create);
    ({ dataDir, server } = testbed);
  });
  afterAll(async () => {
    await testbed?.close();
  });

  it('refuses an HTML body sent as invoice.html with Content-Type audio/wav: 415, no record, no file', async () => {
    const { userId, token, key } = await ingestAccount(server);
    for (const data of [HTML, randomBytes(5000), Buffer.alloc(0)]) {
      const res = await upload(server, { 'x-api-key': key }, [audioPart(data, 'invoice.html', 'audio/wav')]);
      expect(res.statusCode).toBe(415);
      expect(JSON.parse(res.body)).toEqual({
        detail: 'The file is not audio in a known format (its content was checked, not its name or declared type)',
        code: 'UNSUPPORTED_AUDIO_TYPE',
      });
    }
    expect((await voiceLogsOf(server, token)).body.total).toBe(0);
    expect(uploadedFiles(dataDir, userId)).toEqual([]);
  });

  it('stores audio under a name and extension the server chose, keeping the client file name as metadata only', async () => {
    const { userId, key } = await ingestAccount(server);
    for (const [data, sent, declared, extension, recorded] of [
      [wav(100), 'invoice.html', 'audio/mpeg', 'wav', 'audio/wav'],
      [MP3, '<img src=x onerror=alert(1)>.php', 'audio/mpeg', 'mp3', 'audio/mpeg'],
    ] as const) {
      const res = await upload(server, { 'x-api-key': key }, [audioPart(data, sent, declared)]);
      expect(res.statusCode).toBe(201);
      const item = JSON.parse(res.body);
      expect(item.filename).toBe(sent);
      expect(item.content_type).toBe(recorded);
      const record = await server.core.stores.voiceLogs.findForUser(userId, item.id);
      expect(record?.storagePath).toBe(`${userId}/${item.id}.${extension}`);
      expect(readFileSync(join(dataDir, 'uploads', record!.storagePath)).equals(data)).toBe(true);
    }
    expect(uploadedFiles(dataDir, userId).every((name) => /^vl_[0-9a-f]{24}\.(wav|mp3)$/.test(name))).toBe(true);
  });

  it('does not quote a declared type or field name back when it carries markup', async () => {
    const { key } = await ingestAccount(server);
    const res = await upload(server, { 'x-api-key': key }, [
      { name: 'file', filename: 'a.wav', contentType: 'text/html', data: HTML },
    ]);
    expect(res.statusCode).toBe(415);
    expect(JSON.parse(res.body).detail).toBe(
      'Unsupported content type text/html: only audio files (audio/*) can be uploaded',
    );
    const long = await upload(server, { 'x-api-key': key }, [
      audioPart(wav(10)),
      { name: '<b>title</b>', value: 'x'.repeat(10 * 1024 + 1) },
    ]);
    expect(long.statusCode).toBe(400);
    expect(JSON.parse(long.body)).toEqual({ detail: 'a field: longer than 10240 bytes', code: 'VALIDATION_FAILED' });
  });

  it('answers 400 JSON_TOO_DEEP to a deeply nested application/json field, never a 500', async () => {
    const { token, key } = await ingestAccount(server);
    const boundary = `----latchkey${randomBytes(8).toString('hex')}`;
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n`,
      ),
      Buffer.from('['.repeat(5000) + ']'.repeat(5000)),
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
      ),
      wav(10),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/ingest/upload',
      remoteAddress: uniqueIp(),
      headers: { 'x-api-key': key, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).code).toBe('JSON_TOO_DEEP');
    expect((await voiceLogsOf(server, token)).body.total).toBe(0);
  });
});

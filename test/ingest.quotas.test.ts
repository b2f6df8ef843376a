import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const FILE = wav(500); // 1044 bytes
const ROOM_FOR_TWO = String(2 * FILE.length);

describe.each(TARGETS)('upload quotas on $name', ({ create }) => {
  let testbed: IngestTestbed;
  let dataDir: string;
  /** Two instances over the same data, each with room for two files per user. */
  let quota: TestServer;
  let quotaOther: TestServer;
  /** Two instances over the same data, each allowing two uploads per key per minute. */
  let rate: TestServer;
  let rateOther: TestServer;

  beforeAll(async () => {
    testbed = await openIngestTestbed(create);
    dataDir = testbed.dataDir;
    quota = await testbed.startAnother({ STORAGE_QUOTA_BYTES: ROOM_FOR_TWO });
    quotaOther = await testbed.startAnother({ STORAGE_QUOTA_BYTES: ROOM_FOR_TWO });
    rate = await testbed.startAnother({ UPLOAD_RATE_LIMIT: '2', UPLOAD_RATE_LIMIT_WINDOW_SECONDS: '60' });
    rateOther = await testbed.startAnother({ UPLOAD_RATE_LIMIT: '2', UPLOAD_RATE_LIMIT_WINDOW_SECONDS: '60' });
  });
  afterAll(async () => {
    await testbed?.close();
  });

  const QUOTA_FULL = {
    detail: `This upload does not fit the account's storage quota of ${ROOM_FOR_TWO} bytes`,
    code: 'STORAGE_QUOTA_EXCEEDED',
    details: { quotaBytes: Number(ROOM_FOR_TWO) },
  };

  it('refuses the upload that would pass STORAGE_QUOTA_BYTES with 413, leaving no file or record', async () => {
    const { userId, token, key } = await ingestAccount(quota);
    expect((await upload(quota, { 'x-api-key': key }, [audioPart(FILE)])).statusCode).toBe(201);
    // One byte too many: refused while it streams.
    const over = await upload(quota, { 'x-api-key': key }, [audioPart(wav(501))]);
    expect(over.statusCode).toBe(413);
    expect(JSON.parse(over.body)).toEqual(QUOTA_FULL);
    expect((await upload(quota, { 'x-api-key': key }, [audioPart(FILE)])).statusCode).toBe(201);
    // Full: refused before a byte is stored.
    const full = await upload(quota, { 'x-api-key': key }, [audioPart(wav(1))]);
    expect(full.statusCode).toBe(413);
    expect(JSON.parse(full.body)).toEqual(QUOTA_FULL);
    expect((await voiceLogsOf(quota, token)).body.total).toBe(2);
    expect(uploadedFiles(dataDir, userId)).toHaveLength(2);
  });

  it('counts per user: another user has the whole quota', async () => {
    const first = await ingestAccount(quota);
    for (let i = 0; i < 2; i++)
      expect((await upload(quota, { 'x-api-key': first.key }, [audioPart(FILE)])).statusCode).toBe(201);
    const second = await ingestAccount(quota);
    expect((await upload(quota, { 'x-api-key': second.key }, [audioPart(FILE)])).statusCode).toBe(201);
  });

  it('holds under parallel uploads on two instances: only what fits is kept, and nothing else is left on disk', async () => {
    const { userId, token, key } = await ingestAccount(quota);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        upload(i % 2 === 0 ? quota : quotaOther, { 'x-api-key': key }, [audioPart(FILE)]),
      ),
    );
    const statuses = results.map((res) => res.statusCode).sort();
    expect(statuses).toEqual([201, 201, 413, 413, 413, 413]);
    for (const res of results.filter((r) => r.statusCode === 413))
      expect(JSON.parse(res.body).code).toBe('STORAGE_QUOTA_EXCEEDED');
    expect((await voiceLogsOf(quota, token)).body.total).toBe(2);
    expect(uploadedFiles(dataDir, userId).sort()).toEqual(
      results
        .filter((r) => r.statusCode === 201)
        .map((r) => `${JSON.parse(r.body).id}.wav`)
        .sort(),
    );
  });

  it('answers 429 UPLOAD_RATE_LIMITED with Retry-After past UPLOAD_RATE_LIMIT per key, counted across instances', async () => {
    const { token, key } = await ingestAccount(rate);
    expect((await upload(rate, { 'x-api-key': key }, [audioPart(FILE)])).statusCode).toBe(201);
    expect((await upload(rateOther, { 'x-api-key': key }, [audioPart(FILE)])).statusCode).toBe(201);
    for (const server of [rate, rateOther]) {
      const limited = await upload(server, { 'x-api-key': key }, [audioPart(FILE)]);
      expect(limited.statusCode).toBe(429);
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(JSON.parse(limited.body)).toEqual({
        detail: 'Too many uploads with this API key; retry later',
        code: 'UPLOAD_RATE_LIMITED',
        details: { retryAfterSeconds: retryAfter },
      });
    }
    expect((await voiceLogsOf(rate, token)).body.total).toBe(2);
    // Another key has its own budget.
    const other = await ingestAccount(rate);
    expect((await upload(rate, { 'x-api-key': other.key }, [audioPart(FILE)])).statusCode).toBe(201);
  });
});

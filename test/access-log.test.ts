import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { caller } from './helpers/api.js';
import { captureLog } from './helpers/log-capture.js';
import { startServer, type TestServer } from './helpers/server.js';
import { TARGETS, type StorageTarget } from './helpers/targets.js';

// Logging is the same whatever the storage.
const embedded = TARGETS.find((t) => t.name === 'embedded')!;

async function serverLoggingAt(level: string, stream: ReturnType<typeof captureLog>['stream']) {
  const target = await embedded.create();
  const server = await startServer(target, {}, undefined, createLogger(level, stream));
  return { target, server };
}

describe('the access log', () => {
  let target: StorageTarget;
  let server: TestServer;
  const { lines, stream } = captureLog();
  const parsed = () => lines.map((line) => JSON.parse(line));

  beforeAll(async () => {
    ({ target, server } = await serverLoggingAt('info', stream));
  });
  afterAll(async () => {
    await server?.close();
    await target?.dispose();
  });

  it('writes one line per request at info, when it is answered, with the request, status and time taken', async () => {
    lines.length = 0;
    const client = caller(server);
    await client.get('/healthz');
    await client.get('/api/v1/agents?access_token=not-logged', 'not-a-token');

    const requestLines = parsed().filter((line) => line.reqId !== undefined);
    expect(requestLines.map((line) => line.msg)).toEqual(['request completed', 'request completed']);
    const [health, refused] = requestLines;
    expect(health).toMatchObject({ level: 30, req: { method: 'GET', path: '/healthz', remoteAddress: client.ip }, res: { statusCode: 200 } });
    expect(refused).toMatchObject({ req: { method: 'GET', path: '/api/v1/agents', remoteAddress: client.ip }, res: { statusCode: 401 } });
    expect(health.reqId).not.toBe(refused.reqId);
    for (const line of requestLines) expect(line.responseTime).toBeGreaterThanOrEqual(0);
    expect(lines.join('')).not.toContain('not-logged');
  });
});

describe('the access log at debug', () => {
  it('also writes a line when a request arrives, under the same request id', async () => {
    const { lines, stream } = captureLog();
    const { target, server } = await serverLoggingAt('debug', stream);
    try {
      await caller(server).get('/healthz');
      const requestLines = lines.map((line) => JSON.parse(line)).filter((line) => line.reqId !== undefined);
      expect(requestLines.map((line) => [line.level, line.msg])).toEqual([
        [20, 'incoming request'],
        [30, 'request completed'],
      ]);
      expect(requestLines[0].reqId).toBe(requestLines[1].reqId);
      expect(requestLines[0].req).toMatchObject({ method: 'GET', path: '/healthz' });
    } finally {
      await server.close();
      await target.dispose();
    }
  });
});

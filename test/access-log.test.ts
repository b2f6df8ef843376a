import { connect } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLog } from '../src/http/access-log.js';
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
    expect(health).toMatchObject({
      level: 30,
      req: { method: 'GET', path: '/healthz', remoteAddress: client.ip },
      res: { statusCode: 200 },
    });
    expect(refused).toMatchObject({
      req: { method: 'GET', path: '/api/v1/agents', remoteAddress: client.ip },
      res: { statusCode: 401 },
    });
    expect(health.reqId).not.toBe(refused.reqId);
    for (const line of requestLines) expect(line.responseTime).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain('not-logged');
  });

  it('writes a line for a request whose client goes away before the answer', async () => {
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.app.server.address() as { port: number };
    lines.length = 0;
    // A login whose body never arrives in full: it is never answered, so never completed.
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /api/v1/auth/login?x=not-logged HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email"',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();

    const deadline = Date.now() + 2_000;
    while (!lines.some((line) => line.includes('"request aborted"')) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const requestLines = parsed().filter((line) => line.reqId !== undefined);
    expect(requestLines.map((line) => line.msg)).toEqual(['request aborted']);
    expect(requestLines[0]).toMatchObject({
      level: 30,
      req: { method: 'POST', path: '/api/v1/auth/login', remoteAddress: '127.0.0.1' },
    });
    expect(lines.join('')).not.toContain('not-logged');
  });
});

describe('the access log controller', () => {
  function answered(log: pino.Logger) {
    const request = { method: 'GET', url: '/x', ip: '192.0.2.1', log } as unknown as FastifyRequest;
    const reply = { statusCode: 200, elapsedTime: 1.5, log } as unknown as FastifyReply;
    return { request, reply };
  }

  it('writes a response stream error at error level, with the error', () => {
    const { lines, stream } = captureLog();
    const { request, reply } = answered(createLogger('info', stream));
    new AccessLog().requestCompleted(new Error('socket hang up'), request, reply);
    const [line] = lines.map((l) => JSON.parse(l));
    expect(line).toMatchObject({
      level: 50,
      msg: 'request errored',
      req: { method: 'GET', path: '/x' },
      res: { statusCode: 200 },
      err: { message: 'socket hang up' },
    });
    expect(lines).toHaveLength(1);
  });

  it('writes nothing for requests Fastify is told not to log', () => {
    const { lines, stream } = captureLog();
    const { request, reply } = answered(createLogger('debug', stream));
    const quiet = new AccessLog({ disableRequestLogging: true });
    quiet.incomingRequest(request);
    quiet.requestCompleted(null, request, reply);
    expect(lines).toEqual([]);
  });
});

describe('a silent logger', () => {
  it('is not handed to Fastify, which then makes no child logger for each request', async () => {
    const target = await embedded.create();
    const silent = pino({ level: 'silent' });
    const server = await startServer(target, {}, undefined, silent);
    try {
      expect(server.app.log).not.toBe(silent);
      expect((await caller(server).get('/healthz')).status).toBe(200);
    } finally {
      await server.close();
      await target.dispose();
    }
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

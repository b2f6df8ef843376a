import { connect, type Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { writeAtEndOfTurn } from './write-coalescing.js';

/**
 * A server whose one route answers whether the response to the request handled just before this
 * one had already been written (ended) when this one was handled; null for the first request.
 */
async function probeServer(coalesce: boolean): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  if (coalesce) app.addHook('onSend', writeAtEndOfTurn);
  const handled: ServerResponse[] = [];
  app.get('/probe', async (_request, reply) => {
    const previous = handled.at(-1);
    handled.push(reply.raw);
    return { previousWritten: previous ? previous.writableEnded : null };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends GET /probe on the socket (keep-alive) and resolves with the parsed JSON body. */
function nextBody(socket: Socket): Promise<{ previousWritten: boolean | null }> {
  return new Promise((resolve) => {
    socket.once('data', (chunk) => resolve(JSON.parse(chunk.toString('latin1').split('\r\n\r\n')[1]!)));
  });
}

const REQUEST = 'GET /probe HTTP/1.1\r\nHost: test\r\n\r\n';

/** Two requests on two connections, both sent before the server's next turn: handled in one turn. */
async function twoRequestsInOneTurn(app: FastifyInstance) {
  const { port } = app.server.address() as { port: number };
  const sockets = [await openSocket(port), await openSocket(port)];
  try {
    // One request on each first, so both connections are accepted and idle on the server.
    for (const socket of sockets) {
      const body = nextBody(socket);
      socket.write(REQUEST);
      await body;
    }
    const bodies = Promise.all(sockets.map(nextBody));
    for (const socket of sockets) socket.write(REQUEST);
    return await bodies;
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}

describe('writeAtEndOfTurn', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('hands the payload on unchanged, after the microtasks and next ticks of this turn', async () => {
    const calls: unknown[][] = [];
    const payload = '{"ok":true}';
    writeAtEndOfTurn(null as never, null as never, payload, (...args) => calls.push(args));
    await new Promise<void>((resolve) => process.nextTick(resolve));
    await Promise.resolve();
    expect(calls).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([[null, payload]]);
  });

  it('writes the responses a turn finished only once the turn has handled all its requests', async () => {
    app = await probeServer(true);
    const answers = (await twoRequestsInOneTurn(app)).map((b) => b.previousWritten);
    // The first of the two was still unwritten when the second was handled; the first reports on
    // the request before it, answered turns earlier.
    expect(answers.sort()).toEqual([false, true]);
  });

  it('(control) without it, a response is written before the next request is handled', async () => {
    app = await probeServer(false);
    const answers = (await twoRequestsInOneTurn(app)).map((b) => b.previousWritten);
    expect(answers).toEqual([true, true]);
  });
});

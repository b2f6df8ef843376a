import { connect, type Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { writeAtEndOfTurn } from './write-coalescing.js';

/**
 * A server whose one route answers whether the response to the request handled just before this
 * one had already been written (ended) when this one was handled (null for the first request),
 * and whether the two were handled in the same turn of the event loop.
 */
async function probeServer(coalesce: boolean): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  if (coalesce) app.addHook('onSend', writeAtEndOfTurn);
  let turn = 0;
  let turnEnding = false;
  const currentTurn = () => {
    if (!turnEnding) {
      turnEnding = true;
      setImmediate(() => {
        turn += 1;
        turnEnding = false;
      });
    }
    return turn;
  };
  let previous: { response: ServerResponse; turn: number } | undefined;
  app.get('/probe', async (_request, reply) => {
    const now = currentTurn();
    const answer = {
      previousWritten: previous ? previous.response.writableEnded : null,
      sameTurn: previous?.turn === now,
    };
    previous = { response: reply.raw, turn: now };
    return answer;
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

/** Resolves with the JSON body of the next response on the (keep-alive) socket. */
function nextBody(socket: Socket): Promise<{ previousWritten: boolean | null; sameTurn: boolean }> {
  return new Promise((resolve) => {
    socket.once('data', (chunk) => resolve(JSON.parse(chunk.toString('latin1').split('\r\n\r\n')[1]!)));
  });
}

const REQUEST = 'GET /probe HTTP/1.1\r\nHost: test\r\n\r\n';

/**
 * Two requests on two connections, both sent before the server's next turn, so that it handles
 * them in one turn; the kernel may still hand over the second one a turn late, so the pair is
 * tried again until one lands together. Resolves with whether the first response was written
 * when the second request was handled.
 */
async function twoRequestsInOneTurn(app: FastifyInstance): Promise<boolean | null> {
  const { port } = app.server.address() as { port: number };
  const sockets = [await openSocket(port), await openSocket(port)];
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      const bodies = Promise.all(sockets.map(nextBody));
      for (const socket of sockets) socket.write(REQUEST);
      const second = (await bodies).find((b) => b.sameTurn);
      if (second) return second.previousWritten;
    }
    throw new Error('no two requests were handled in one turn');
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
    expect(await twoRequestsInOneTurn(app)).toBe(false);
  });

  it('(control) without it, a response is written before the next request is handled', async () => {
    app = await probeServer(false);
    expect(await twoRequestsInOneTurn(app)).toBe(true);
  });

  it('answers 500 through the error handler when Node refuses a header at the write', async () => {
    app = Fastify({ logger: false });
    app.addHook('onSend', writeAtEndOfTurn);
    app.get('/', async (_request, reply) => {
      reply.header('x-bad', 'a\u0100b');
      return { ok: true };
    });
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ code: 'ERR_INVALID_CHAR' });
  });

  it('writes once when an async handler sends without returning the reply', async () => {
    app = Fastify({ logger: false });
    app.addHook('onSend', writeAtEndOfTurn);
    app.get('/', async (_request, reply) => {
      void reply.send({ ok: true });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    // The second send Fastify makes for such a handler failed inside the hook's turn; the
    // server still answers.
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });
});

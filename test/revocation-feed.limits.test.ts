import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { feedReader, listening, openFeed } from './helpers/feed.js';
import { startServer, type TestServer } from './helpers/server.js';
import { embeddedTarget, type StorageTarget } from './helpers/targets.js';

const WAIT_MS = 10_000;

/** A consumer that sends the request and never reads: the kernel's buffers fill, then the server's. */
function stalledConsumer(base: string, authorization: string): Socket {
  const socket = connect(Number(new URL(base).port), '127.0.0.1');
  socket.write(`GET /oauth/revocations HTTP/1.1\r\nHost: test\r\nAuthorization: ${authorization}\r\n\r\n`);
  socket.pause();
  socket.on('error', () => {});
  return socket;
}

function connectionsOf(server: TestServer): Promise<number> {
  return new Promise((resolve, reject) =>
    server.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

describe('the revocation feed under pressure (embedded)', () => {
  let target: StorageTarget | undefined;
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    await target?.dispose();
    server = undefined;
    target = undefined;
  });

  it('disconnects a consumer that stops reading rather than buffering for it, and keeps serving the others', async () => {
    target = embeddedTarget();
    server = await startServer(target);
    const base = await listening(server);
    const { authorization } = await feedReader(server);
    const stalled = stalledConsumer(base, authorization);
    const live = await openFeed(base, authorization);
    await live.next();
    expect(await connectionsOf(server)).toBe(2);

    // Each batch is one transaction of 4,000 revocations, about 0.6 MB of events; they expire in
    // a minute, so they weigh on no later snapshot. The kernel's socket buffers take the first few.
    let batches = 0;
    for (; batches < 60 && (await connectionsOf(server)) === 2; batches++) {
      const keys = Array.from({ length: 4_000 }, (_, i) => `jti:stall-${batches}-${i}`);
      await server.core.denylist.revoke(keys, server.core.clock() + 60_000);
      await live.revocation('token', keys.at(-1)!.slice('jti:'.length));
    }
    expect(await connectionsOf(server)).toBe(1);
    expect(batches).toBeGreaterThan(1);
    live.close();
    stalled.destroy();
  });

  it('ends every open stream when the server closes, so shutdown is not held', async () => {
    target = embeddedTarget();
    server = await startServer(target);
    const base = await listening(server);
    const { authorization } = await feedReader(server);
    const feeds = [await openFeed(base, authorization), await openFeed(base, authorization)];
    for (const feed of feeds) await feed.next();

    const started = performance.now();
    await server.close();
    server = undefined;
    expect(performance.now() - started).toBeLessThan(2_000);
    for (const feed of feeds) {
      await Promise.race([
        feed.ended,
        new Promise((_, reject) => setTimeout(() => reject(new Error('stream still open')), WAIT_MS)),
      ]);
    }
  });
});

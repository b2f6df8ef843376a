import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers/server.js';
import { embeddedTarget, type StorageTarget } from './helpers/targets.js';

describe('shutdown', () => {
  let target: StorageTarget | undefined;
  let server: TestServer | undefined;
  afterEach(async () => {
    await target?.dispose();
    target = undefined;
    server = undefined;
  });

  // A response is written at the end of the event loop's turn (write-coalescing.ts). When close()
  // starts in between, the response must still end its keep-alive connection, or close() would
  // wait for that socket until keepAliveTimeout.
  it('ends the connection of a response held when close() starts, and close() finishes', async () => {
    target = embeddedTarget();
    server = await startServer(target);
    const app = server.app;
    await app.listen({ port: 0, host: '127.0.0.1' });
    let closed: Promise<void> | undefined;
    // Runs as the request arrives, in the same turn as its handler: the response is still held.
    app.server.once('request', () => {
      closed = server!.close();
    });

    const { port } = app.server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    let response = '';
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('data', (chunk) => (response += chunk.toString('latin1')));
    socket.write('GET /.well-known/jwks.json HTTP/1.1\r\nHost: test\r\n\r\n');

    await ended;
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    expect(response.toLowerCase()).toContain('\r\nconnection: close\r\n');
    const started = performance.now();
    await closed;
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

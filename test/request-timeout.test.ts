import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CSP } from '../src/http/security-headers.js';
import { startServer, type TestServer } from './helpers/server.js';
import { embeddedTarget, type StorageTarget } from './helpers/targets.js';

const TIMEOUT_SECONDS = 2;
// Generous for a loaded 2-core machine; the bug let a trickled body live 60 to 90 s.
const CUT_WITHIN_MS = 6_000;
// The client gives up trickling after this long, so a failing test ends by itself.
const TRICKLE_FOR_MS = 12_000;

/**
 * Opens a socket, writes `head`, then one byte of `trickle` every 500 ms until the server closes
 * the connection (or TRICKLE_FOR_MS passes). Returns what the server answered and when it closed.
 */
async function trickle(
  port: number,
  head: string,
  trickle: string,
): Promise<{ response: string; closedAfterMs: number | null }> {
  const socket = connect(port, '127.0.0.1');
  let response = '';
  socket.on('data', (chunk) => (response += chunk.toString('latin1')));
  socket.on('error', () => {});
  const started = performance.now();
  let closedAfterMs: number | null = null;
  const closed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      closedAfterMs = performance.now() - started;
      resolve();
    }),
  );
  socket.write(head);
  for (let i = 0; closedAfterMs === null && performance.now() - started < TRICKLE_FOR_MS; i++) {
    const tick = new Promise((resolve) => setTimeout(resolve, 500));
    await Promise.race([tick, closed]);
    if (closedAfterMs === null && !socket.destroyed) socket.write(trickle[i % trickle.length]!);
  }
  socket.destroy();
  return { response, closedAfterMs };
}

/** What Node refuses before routing still carries the API's headers and a flat error body. */
function expectApiErrorAnswer(response: string, code: string): void {
  const [head, body] = response.split('\r\n\r\n') as [string, string];
  const headers = new Map(
    head
      .split('\r\n')
      .slice(1)
      .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const directives = (csp: string | undefined) => csp?.split(';').map((d) => d.trim());
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(directives(headers.get('content-security-policy'))).toEqual(directives(API_CSP));
  expect(headers.get('connection')).toBe('close');
  expect(JSON.parse(body)).toMatchObject({ code });
}

/** Sends `request` raw and returns all the server wrote before it closed the connection. */
async function sendRaw(port: number, request: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let response = '';
  socket.on('data', (chunk) => (response += chunk.toString('latin1')));
  socket.on('error', () => {});
  socket.write(request);
  await new Promise((resolve) => socket.on('close', resolve));
  return response;
}

// The socket's timeouts, whatever the storage: one target is enough.
describe('REQUEST_TIMEOUT_SECONDS', () => {
  let target: StorageTarget;
  let server: TestServer;
  let port: number;

  beforeAll(async () => {
    target = embeddedTarget();
    server = await startServer(target, { REQUEST_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    port = (server.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await server?.close();
    await target?.dispose();
  });

  it('cuts off a body trickled a byte every 500 ms near the setting, below 60 s', { timeout: 20_000 }, async () => {
    const head =
      'POST /api/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n';
    const { response, closedAfterMs } = await trickle(port, head, '{"email":"');
    expect(closedAfterMs).not.toBeNull();
    expect(closedAfterMs!).toBeGreaterThanOrEqual(TIMEOUT_SECONDS * 1000 - 100);
    expect(closedAfterMs!).toBeLessThan(CUT_WITHIN_MS);
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expectApiErrorAnswer(response, 'REQUEST_TIMEOUT');
  });

  it('cuts off headers trickled a byte every 500 ms near the setting', { timeout: 20_000 }, async () => {
    const { closedAfterMs } = await trickle(
      port,
      'GET /healthz HTTP/1.1\r\n',
      'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    );
    expect(closedAfterMs).not.toBeNull();
    expect(closedAfterMs!).toBeLessThan(CUT_WITHIN_MS);
  });

  it('answers a malformed request with 400 and headers too large with 431, both with the API headers', async () => {
    const malformed = await sendRaw(port, 'GET /healthz HTTP/1.1\r\nHost test\r\n\r\n');
    expect(malformed).toMatch(/^HTTP\/1\.1 400 /);
    expectApiErrorAnswer(malformed, 'BAD_REQUEST');
    const oversized = await sendRaw(
      port,
      `GET /healthz HTTP/1.1\r\nHost: test\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(oversized).toMatch(/^HTTP\/1\.1 431 /);
    expectApiErrorAnswer(oversized, 'REQUEST_HEADERS_TOO_LARGE');
  });
});

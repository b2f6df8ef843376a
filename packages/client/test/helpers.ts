import { afterAll, beforeAll } from 'vitest';
import type { Clock } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/logger.js';
import { captureLog } from '../../../test/helpers/log-capture.js';
import { startServer, type TestServer } from '../../../test/helpers/server.js';
import type { StorageTarget } from '../../../test/helpers/targets.js';

/** A Latchkey listening on loopback, the way the client meets one, and what it has answered. */
export interface ListeningServer {
  server: TestServer;
  baseUrl: string;
  /** How many requests to `path` the server has answered (from its access log). */
  answered(path: string): number;
}

// Every client in these tests comes from 127.0.0.1: the per-IP login limit is raised, not removed.
export const CLIENT_TEST_ENV = { LOGIN_RATE_LIMIT: '1000' };

/** Starts a Latchkey over `target` in beforeAll, listening on a free port; closes it in afterAll. */
export function useListeningServer(
  create: () => StorageTarget | Promise<StorageTarget>,
  env: Record<string, string> = {},
  clock?: Clock,
): ListeningServer {
  const log = captureLog();
  let target: StorageTarget | undefined;
  let server: TestServer | undefined;
  let baseUrl = '';
  beforeAll(async () => {
    target = await create();
    server = await startServer(target, { ...CLIENT_TEST_ENV, ...env }, clock, createLogger('info', log.stream));
    baseUrl = await server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server?.close();
    await target?.dispose();
  });
  return {
    get server() {
      if (!server) throw new TypeError('useListeningServer: the server starts in beforeAll');
      return server;
    },
    get baseUrl() {
      return baseUrl;
    },
    answered(path) {
      return log.lines
        .map((line) => JSON.parse(line))
        .filter((line) => line.msg === 'request completed' && line.req?.path === path).length;
    },
  };
}

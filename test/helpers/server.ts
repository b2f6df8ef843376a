import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { Clock } from '../../src/core/clock.js';
import { createLatchkey, type Latchkey } from '../../src/server.js';
import type { StorageTarget } from './targets.js';

export type TestServer = Latchkey & { config: Readonly<Config> };

/**
 * A Latchkey instance over `target`. Several built from one target behave as one server (they
 * share the data), each with its own connections and caches, like separate processes.
 * PASSWORD_HASH_CONCURRENCY is raised so parallel tests do not queue behind each other. It logs
 * nothing unless given a logger.
 */
export async function startServer(
  target: StorageTarget,
  env: Record<string, string> = {},
  clock?: Clock,
  logger?: Logger,
): Promise<TestServer> {
  const config = loadConfig({ LOG_LEVEL: 'silent', PASSWORD_HASH_CONCURRENCY: '4', ...target.env, ...env });
  const latchkey = await createLatchkey(config, {
    ...(clock ? { clock } : {}),
    logger: logger ?? pino({ level: 'silent' }),
  });
  await latchkey.app.ready();
  return { ...latchkey, config };
}

export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${randomBytes(5).toString('hex')}@example.com`;
}

/** A fresh client address per test, so IP rate limits of one test never touch another. */
export function uniqueIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

/** What startServer takes after the target: environment, clock and logger. */
export type ServerArgs = [env?: Record<string, string>, clock?: Clock, logger?: Logger];

/** An object that stands for one assigned later (in beforeAll); using it before then is a bug in the test. */
function lateBound<T extends object>(what: string): { value: T; set(value: T): void } {
  let current: T | undefined;
  const value = new Proxy({} as T, {
    get(_, key) {
      if (current === undefined) throw new TypeError(`${what} is used before beforeAll started it`);
      const field: unknown = Reflect.get(current, key);
      return typeof field === 'function' ? field.bind(current) : field;
    },
  });
  return { value, set: (next) => void (current = next) };
}

/**
 * A target from `create` and one server per `instances` entry over it, started in beforeAll and
 * closed (servers, then the target) in afterAll. Several servers behave as one (they share data).
 */
export function useServers<const I extends ServerArgs[]>(
  create: () => StorageTarget | Promise<StorageTarget>,
  ...instances: I
): { servers: { [K in keyof I]: TestServer }; target: StorageTarget } {
  const target = lateBound<StorageTarget>('the target');
  const servers = instances.map((_, i) => lateBound<TestServer>(`server ${i + 1}`));
  const started: TestServer[] = [];
  let created: StorageTarget | undefined;
  beforeAll(async () => {
    created = await create();
    target.set(created);
    for (const [i, args] of instances.entries()) {
      const server = await startServer(created, ...args);
      started.push(server);
      servers[i]!.set(server);
    }
  });
  afterAll(async () => {
    for (const server of started) await server.close();
    await created?.dispose();
  });
  return { servers: servers.map((s) => s.value) as { [K in keyof I]: TestServer }, target: target.value };
}

/** useServers with one server: `const { server } = useServer(create, env, clock)`. */
export function useServer(
  create: () => StorageTarget | Promise<StorageTarget>,
  ...args: ServerArgs
): { server: TestServer; target: StorageTarget } {
  const {
    servers: [server],
    target,
  } = useServers(create, args);
  return { server, target };
}

import { randomBytes } from 'node:crypto';
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
export async function startServer(target: StorageTarget, env: Record<string, string> = {}, clock?: Clock, logger?: Logger): Promise<TestServer> {
  const config = loadConfig({ LOG_LEVEL: 'silent', PASSWORD_HASH_CONCURRENCY: '4', ...target.env, ...env });
  const latchkey = await createLatchkey(config, { ...(clock ? { clock } : {}), logger: logger ?? pino({ level: 'silent' }) });
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

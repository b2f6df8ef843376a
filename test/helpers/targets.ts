import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { OTHER_PROCESS_LAG_MS } from '../../src/store/embedded/data-version.js';

/** Real services: the CI script exports these; locally the machine's loopback services are the default. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
export const TEST_SECRET = 'test-master-secret-0123456789abcdef0123456789';

/** A place to keep data: a fresh SQLite folder, or a fresh PostgreSQL schema next to a shared Redis. */
export interface StorageTarget {
  name: 'embedded' | 'postgres+redis';
  /** Environment for loadConfig; every instance built from it shares the same data. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export function embeddedTarget(): StorageTarget {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  return {
    name: 'embedded',
    env: { DATA_DIR: dir },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Each target gets its own PostgreSQL schema (through search_path), dropped afterwards. */
export async function postgresTarget(redisUrl = TEST_REDIS_URL): Promise<StorageTarget> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    name: 'postgres+redis',
    env: { DATABASE_URL: url.toString(), REDIS_URL: redisUrl, LATCHKEY_SECRET: TEST_SECRET },
    async dispose() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    },
  };
}

/**
 * Waits as long as one instance may take to see another's writes: within OTHER_PROCESS_LAG_MS
 * on one embedded DATA_DIR, at once on PostgreSQL and Redis (waited anyway; it is a millisecond).
 * Measured on the same monotonic clock, since a timer may fire early by the time its loop turn took.
 */
export async function waitOutOtherProcessLag(): Promise<void> {
  const until = performance.now() + OTHER_PROCESS_LAG_MS;
  while (performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 1));
}

export const TARGETS = [
  { name: 'embedded', create: async () => embeddedTarget() },
  { name: 'postgres+redis', create: () => postgresTarget() },
] as const;

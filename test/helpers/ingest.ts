import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { caller, registerV1 } from './api.js';
import { manualClock, type ManualClock } from './clock.js';
import { startServer, uniqueEmail, uniqueIp, type TestServer } from './server.js';
import type { StorageTarget } from './targets.js';
import { multipart, type Part } from './upload.js';

/** A new user with a session token and an ingest key. */
export async function ingestAccount(server: TestServer): Promise<{ userId: string; token: string; key: string }> {
  const client = caller(server);
  const { user, token } = await registerV1(client, uniqueEmail());
  const res = await client.post('/api/settings/api-key', {}, token);
  expect(res.status).toBe(201);
  return { userId: user.id, token, key: res.body.api_key };
}

/** A multipart POST to /api/ingest/upload, from a fresh client address. */
export function upload(server: TestServer, headers: Record<string, string>, parts: Part[]) {
  const { body, contentType } = multipart(parts);
  return server.app.inject({
    method: 'POST',
    url: '/api/ingest/upload',
    remoteAddress: uniqueIp(),
    headers: { 'content-type': contentType, ...headers },
    payload: body,
  });
}

export function voiceLogsOf(server: TestServer, token: string, query = '') {
  return caller(server).get(`/api/voicelogs${query}`, token);
}

/** Every file (final or `.part`) in the user's upload folder under `dataDir`. */
export function uploadedFiles(dataDir: string, userId: string): string[] {
  try {
    return readdirSync(join(dataDir, 'uploads', userId));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Where a target's uploads go: the embedded target's own DATA_DIR (its database lives there too),
 * or a temporary folder for the PostgreSQL target, removed by `remove`.
 */
export function uploadDir(target: StorageTarget): { path: string; remove(): void } {
  if (target.env.DATA_DIR !== undefined) return { path: target.env.DATA_DIR, remove: () => {} };
  const path = mkdtempSync(join(tmpdir(), 'latchkey-uploads-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** What the ingest tests run on: one target, the folder its uploads go to, and servers over both. */
export interface IngestTestbed {
  dataDir: string;
  clock: ManualClock;
  /** The first server, on `clock`. */
  server: TestServer;
  /** Another server over the same data, with `env` on top (and the real clock). */
  startAnother(env: Record<string, string>): Promise<TestServer>;
  close(): Promise<void>;
}

export async function openIngestTestbed(create: () => Promise<StorageTarget>): Promise<IngestTestbed> {
  const target = await create();
  const uploads = uploadDir(target);
  const clock = manualClock();
  const servers: TestServer[] = [];
  const close = async () => {
    for (const server of servers) await server.close();
    await target.dispose();
    uploads.remove();
  };
  const startAnother = async (env: Record<string, string>, serverClock?: ManualClock) => {
    const server = await startServer(target, { DATA_DIR: uploads.path, ...env }, serverClock);
    servers.push(server);
    return server;
  };
  try {
    const server = await startAnother({}, clock);
    return { dataDir: uploads.path, clock, server, startAnother: (env) => startAnother(env), close };
  } catch (error) {
    await close();
    throw error;
  }
}

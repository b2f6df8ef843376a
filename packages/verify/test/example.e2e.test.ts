import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnRedis } from '../../../test/helpers/own-redis.js';
import { freePort } from '../../../test/helpers/ports.js';
import { embeddedTarget, postgresTarget, type StorageTarget } from '../../../test/helpers/targets.js';
import { type ClientCredentials, createClientWithCli, ExampleService } from './helpers/example.js';
import {
  clientCredentialsToken,
  logout,
  newUser,
  revokePat,
  type ServedLatchkey,
  serveLatchkey,
} from './helpers/latchkey.js';

/** Calls the example's GET /agents until it answers `status`; how long that took (ms), failing after `withinMs`. */
async function timeUntil(example: ExampleService, authorization: string, status: number, withinMs = 1_000) {
  const start = performance.now();
  for (;;) {
    const res = await example.agents('GET', authorization);
    if (res.status === status) return { elapsed: performance.now() - start, body: res.body };
    if (performance.now() - start > withinMs) throw new Error(`still ${res.status} after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * One deployment under test: Latchkey instances over one storage (users log in at the first;
 * the example's verifier talks to the last, the issuer), restartable on their ports.
 */
interface Deployment {
  name: string;
  redis?: OwnRedis;
  create(redisUrl?: string): Promise<StorageTarget>;
  instances: number;
}

const DEPLOYMENTS: Deployment[] = [
  { name: 'the embedded default', create: async () => embeddedTarget(), instances: 1 },
  {
    name: 'two instances on PostgreSQL + Redis',
    create: (redisUrl) => postgresTarget(redisUrl),
    instances: 2,
  },
];

describe.each(DEPLOYMENTS)('examples/agents-api behind @latchkey/verify, against $name', (deployment) => {
  let redis: OwnRedis | undefined;
  let target: StorageTarget;
  let dataDir: string;
  let ports: number[];
  let issuer: string;
  let instances: ServedLatchkey[] = [];
  let resourceServer: ClientCredentials;
  let example: ExampleService;

  async function startInstances(): Promise<void> {
    instances = [];
    for (const port of ports) instances.push(await serveLatchkey(target, { port, publicUrl: issuer }));
  }
  async function stopInstances(): Promise<void> {
    for (const instance of instances) await instance.server.close();
  }
  const login = () => instances[0]!;
  const startExample = async (framework: 'fastify' | 'express' | 'hono' = 'fastify') =>
    ExampleService.start(framework, issuer, resourceServer, await freePort());

  beforeAll(async () => {
    // A redis-server of its own: flushing it touches no other test.
    if (deployment.instances > 1) {
      redis = new OwnRedis(await freePort());
      await redis.start();
    }
    target = await deployment.create(redis?.url);
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-e2e-cli-'));
    ports = await Promise.all(Array.from({ length: deployment.instances }, () => freePort()));
    // Every instance of one deployment shares PUBLIC_URL, the issuer; the example reads the last one.
    issuer = `http://127.0.0.1:${ports.at(-1)}`;
    await startInstances();
    const cliTarget = { ...target.env, DATA_DIR: target.env.DATA_DIR ?? dataDir };
    resourceServer = await createClientWithCli(cliTarget.DATA_DIR, target.env, {
      name: 'agents-api',
      scopes: 'agents:read,agents:write',
      resourceServer: true,
    });
    example = await startExample();
  });
  afterAll(async () => {
    expect(await example?.stop()).toBe(0);
    await stopInstances();
    await target?.dispose();
    await redis?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves a logged-in user (200), and refuses the token within 1 s of the logout', async () => {
    const user = await newUser(login().server);
    const bearer = `Bearer ${user.token}`;
    expect(await example.agents('GET', bearer)).toEqual({ status: 200, body: [] });
    expect((await example.agents('POST', bearer)).status).toBe(201);
    expect((await example.agents('GET', bearer)).body).toEqual([expect.objectContaining({ owner: user.id })]);

    await logout(login().base, user.token);
    const refused = await timeUntil(example, bearer, 401);
    expect(refused.elapsed).toBeLessThan(1_000);
    expect(refused.body.error.code).toBe('TOKEN_REVOKED');
  });

  it('serves a PAT through introspection, and refuses it within 1 s of its revocation', async () => {
    const user = await newUser(login().server, ['agents:read']);
    const bearer = `Bearer ${user.pat}`;
    expect((await example.agents('GET', bearer)).status).toBe(200);
    // Its scopes are the PAT's: no agents:write.
    expect((await example.agents('POST', bearer)).status).toBe(403);
    await revokePat(login().base, user.token, user.pat);
    expect((await timeUntil(example, bearer, 401)).elapsed).toBeLessThan(1_000);
  });

  it('serves a client-credentials token its scope allows, and answers 403 where it does not', async () => {
    const caller = await createClientWithCli(target.env.DATA_DIR ?? dataDir, target.env, {
      name: 'caller',
      scopes: 'agents:read,agents:write',
      resourceServer: false,
    });
    const reader = `Bearer ${await clientCredentialsToken(login().base, caller, 'agents:read')}`;
    expect((await example.agents('GET', reader)).status).toBe(200);
    const denied = await example.agents('POST', reader);
    expect({ status: denied.status, code: denied.body.error.code }).toEqual({
      status: 403,
      code: 'INSUFFICIENT_SCOPE',
    });
    const writer = `Bearer ${await clientCredentialsToken(login().base, caller, 'agents:read agents:write')}`;
    expect((await example.agents('POST', writer)).status).toBe(201);
  });

  it('brings nothing revoked back when Latchkey restarts, for the running example and a new one', async () => {
    const [revoked, kept] = [await newUser(login().server), await newUser(login().server)];
    await revokePat(login().base, revoked.token, revoked.pat);
    await logout(login().base, revoked.token);
    await timeUntil(example, `Bearer ${revoked.token}`, 401);

    await stopInstances();
    await startInstances();
    const fresh = await startExample();
    try {
      for (const service of [example, fresh]) {
        expect((await service.agents('GET', `Bearer ${revoked.token}`)).body.error.code).toBe('TOKEN_REVOKED');
        expect((await service.agents('GET', `Bearer ${revoked.pat}`)).status).toBe(401);
        expect((await timeUntil(service, `Bearer ${kept.token}`, 200, 10_000)).body).toEqual([]);
        expect((await service.agents('GET', `Bearer ${kept.pat}`)).status).toBe(200);
      }
    } finally {
      expect(await fresh.stop()).toBe(0);
    }
  });

  // Registered only where there is a Redis to flush, and the framework versions only once.
  const withRedis = deployment.instances > 1 ? it : undefined;
  const once = deployment.instances === 1 ? it : undefined;

  withRedis?.('brings nothing revoked back when Redis is flushed, for the running example and a new one', async () => {
    const revoked = await newUser(login().server);
    await revokePat(login().base, revoked.token, revoked.pat);
    await logout(login().base, revoked.token);
    await timeUntil(example, `Bearer ${revoked.token}`, 401);

    const admin = new Redis(redis!.url);
    await admin.flushall();
    admin.disconnect();
    const fresh = await startExample();
    try {
      for (const service of [example, fresh]) {
        expect((await service.agents('GET', `Bearer ${revoked.token}`)).body.error.code).toBe('TOKEN_REVOKED');
        expect((await service.agents('GET', `Bearer ${revoked.pat}`)).status).toBe(401);
      }
      // Revocations keep reaching the example after the flush.
      const later = await newUser(login().server);
      expect((await example.agents('GET', `Bearer ${later.token}`)).status).toBe(200);
      await logout(login().base, later.token);
      expect((await timeUntil(example, `Bearer ${later.token}`, 401)).elapsed).toBeLessThan(1_000);
    } finally {
      expect(await fresh.stop()).toBe(0);
    }
  });

  once?.('serves the same from the Express and Hono versions', async () => {
    for (const framework of ['express', 'hono'] as const) {
      const service = await startExample(framework);
      try {
        const user = await newUser(login().server, ['agents:read']);
        expect(await service.agents('GET', `Bearer ${user.token}`)).toEqual({ status: 200, body: [] });
        expect((await service.agents('POST', `Bearer ${user.token}`)).status).toBe(201);
        expect((await service.agents('POST', `Bearer ${user.pat}`)).status).toBe(403);
        expect((await service.agents('GET')).status).toBe(401);
        await logout(login().base, user.token);
        expect((await timeUntil(service, `Bearer ${user.token}`, 401)).elapsed).toBeLessThan(1_000);
      } finally {
        expect(await service.stop()).toBe(0);
      }
    }
  });
});

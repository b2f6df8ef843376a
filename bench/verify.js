// @latchkey/verify in a resource server: a Fastify service guarded by it against the same service
// verifying with bare jose (no revocation check), and the memory its revoked set takes.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createVerifier } from '@latchkey/verify';
import { latchkey } from '@latchkey/verify/fastify';
import Fastify from 'fastify';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { denyKey } from '../dist/core/index.js';
import { load } from './load.js';
import { HOST } from './servers.js';

export const HELD_REVOCATIONS = 100_000;
const PAIRS = 3;
const MEMORY_CHILD = fileURLToPath(new URL('./verify-memory.js', import.meta.url));

async function listen(app) {
  await app.listen({ port: 0, host: HOST });
  return `http://${HOST}:${app.server.address().port}`;
}

/** The resource server guarded by @latchkey/verify (JWKS, revocation feed, typed principal). */
async function startGuarded(issuer, client) {
  const verifier = createVerifier({ issuer, clientId: client.client.id, clientSecret: client.secret });
  await verifier.ready();
  const app = Fastify({ logger: false });
  await app.register(latchkey, { verifier, scope: 'agents:read' });
  app.get('/agents', async (request) => ({ sub: request.auth.sub }));
  return { url: await listen(app), close: () => app.close().then(() => verifier.close()) };
}

/** The same service with bare jose: a signature check on every request, nothing revoked ever refused. */
async function startBareJose(issuer) {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
  const app = Fastify({ logger: false });
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    try {
      const { payload } = await jwtVerify(header.slice('Bearer '.length), jwks, {
        algorithms: ['EdDSA'],
        typ: 'at+jwt',
        issuer,
        audience: `${issuer}/api`,
      });
      request.auth = payload;
    } catch {
      return reply.code(401).send({ error: 'invalid_token' });
    }
  });
  app.get('/agents', async (request) => ({ sub: request.auth.sub }));
  return { url: await listen(app), close: () => app.close() };
}

/**
 * Req/s of both services with one user access token, in PAIRS back-to-back rounds (the median
 * pair reported), then the verifier's heap with HELD_REVOCATIONS revocations in its set.
 */
export async function runVerifyScenarios(latchkey, bench, tokens, seconds) {
  const guarded = await startGuarded(latchkey.url, bench);
  const bare = await startBareJose(latchkey.url);
  const headers = { authorization: `Bearer ${tokens.accessToken}` };
  const pairs = [];
  try {
    await load({ name: 'warm-up', url: `${guarded.url}/agents`, headers, seconds: 1 });
    await load({ name: 'warm-up', url: `${bare.url}/agents`, headers, seconds: 1 });
    for (let i = 0; i < PAIRS; i++) {
      const withVerify = await load({
        name: 'Fastify + @latchkey/verify',
        url: `${guarded.url}/agents`,
        headers,
        seconds,
      });
      const withJose = await load({
        name: 'Fastify + bare jose (no revocation)',
        url: `${bare.url}/agents`,
        headers,
        seconds,
      });
      pairs.push({ withVerify, withJose, ratio: withVerify.rps / withJose.rps });
    }
  } finally {
    await Promise.allSettled([guarded.close(), bare.close()]);
  }
  const median = pairs.toSorted((a, b) => a.ratio - b.ratio)[Math.floor(PAIRS / 2)];
  const memory = await measureHeldRevocations(latchkey, bench);
  return { withVerify: median.withVerify, withJose: median.withJose, ratios: pairs.map((p) => p.ratio), memory };
}

/**
 * Records HELD_REVOCATIONS access-token revocations, then has a verifier in a process of its own
 * (with --expose-gc, nothing else on its heap) load them from the feed's snapshot.
 */
async function measureHeldRevocations(latchkey, bench) {
  const expiresAt = Date.now() + 15 * 60_000;
  for (let i = 0; i < HELD_REVOCATIONS; i += 5_000) {
    const keys = Array.from({ length: 5_000 }, (_, j) => denyKey.accessToken(`bench-${i + j}-${'x'.repeat(16)}`));
    await latchkey.core.denylist.revoke(keys, expiresAt);
  }
  return new Promise((resolve, reject) => {
    const child = fork(MEMORY_CHILD, [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', resolve);
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`bench: verify-memory exited with ${code}`)));
    child.send({
      issuer: latchkey.url,
      clientId: bench.client.id,
      clientSecret: bench.secret,
      expected: HELD_REVOCATIONS,
    });
  });
}

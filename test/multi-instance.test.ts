import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, PASSWORD, registerV1 } from './helpers/api.js';
import { manualClock } from './helpers/clock.js';
import { startServer, uniqueEmail, uniqueIp, useServers, type TestServer } from './helpers/server.js';
import { embeddedTarget, postgresTarget, waitOutOtherProcessLag, type StorageTarget } from './helpers/targets.js';

// Two instances built from one target share the data but each has its own database pool, kv
// connection and verified-token cache, like two processes behind a load balancer.

const LIMITS = { LOCKOUT_MAX_FAILURES: '3', LOGIN_RATE_LIMIT: '6', REFRESH_REUSE_GRACE_SECONDS: '10' };

function kidsOf(server: TestServer): string[] {
  return server.core.keys
    .jwks()
    .keys.map((k) => k.kid)
    .sort();
}

describe('two instances over one PostgreSQL schema and Redis', () => {
  const clock = manualClock();
  const { servers } = useServers(() => postgresTarget(), [LIMITS, clock], [LIMITS, clock]);
  const [a, b] = servers;

  it('refuses on B a token that B had already verified and cached, right after logout on A', async () => {
    const ip = uniqueIp();
    const onA = caller(a, ip);
    const onB = caller(b, ip);
    const login = await registerV1(onA, uniqueEmail());
    // B verifies the signature once and caches the claims.
    expect((await onB.get('/api/v1/auth/me', login.token)).status).toBe(200);
    expect((await onB.get('/api/v1/agents', login.token)).status).toBe(200);

    expect((await onA.post('/api/v1/auth/logout', undefined, login.token)).status).toBe(200);

    const after = await onB.get('/api/v1/auth/me', login.token);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('TOKEN_REVOKED');
    const flat = await caller(b).get('/api/voicelogs', login.token);
    expect(flat.body.code).toBe('TOKEN_REVOKED');
    const refresh = await onB.post('/api/v1/auth/refresh', { refreshToken: login.refreshToken });
    expect(refresh.body.error.code).toBe('SESSION_REVOKED');
  });

  it('counts failed logins across instances: failures on A and B lock the account on both', async () => {
    const email = uniqueEmail();
    await registerV1(caller(a), email);
    // Each attempt from its own address, so the IP limit plays no part.
    expect((await caller(a).post('/api/v1/auth/login', { email, password: 'wrong-1' })).status).toBe(401);
    expect((await caller(b).post('/api/v1/auth/login', { email, password: 'wrong-2' })).status).toBe(401);
    expect((await caller(a).post('/api/v1/auth/login', { email, password: 'wrong-3' })).status).toBe(401);

    const onB = await caller(b).post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(onB.status).toBe(423);
    expect(onB.body.error.code).toBe('ACCOUNT_LOCKED');
    expect(Number(onB.headers['retry-after'])).toBeGreaterThan(0);
    const onA = await caller(a).post('/api/auth/login', { email, password: PASSWORD });
    expect(onA.status).toBe(423);
    expect(onA.body.code).toBe('ACCOUNT_LOCKED');
  });

  it('resets the shared failure count on a success at either instance', async () => {
    const email = uniqueEmail();
    await registerV1(caller(a), email);
    for (const server of [a, b])
      expect((await caller(server).post('/api/v1/auth/login', { email, password: 'x' })).status).toBe(401);
    expect((await caller(b).post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
    for (const server of [a, b])
      expect((await caller(server).post('/api/v1/auth/login', { email, password: 'x' })).status).toBe(401);
    // Two failures since the success: still below the limit of three.
    expect((await caller(a).post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('shares the IP rate limit: attempts from one address split across A and B hit 429', async () => {
    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const server = i % 2 === 0 ? a : b;
      const res = await caller(server, ip).post('/api/v1/auth/login', { email: uniqueEmail('ghost'), password: 'x' });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.body.error.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    // LOGIN_RATE_LIMIT=6: each instance alone saw only four attempts.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
  });

  it('detects on B the reuse of a refresh token rotated on A, and revokes the family everywhere', async () => {
    const onA = caller(a);
    // The same client, its next request landing on the other instance.
    const onB = caller(b, onA.ip);
    const login = await registerV1(onA, uniqueEmail());
    const rotated = await onA.post('/api/v1/auth/refresh', { refreshToken: login.refreshToken });
    expect(rotated.status).toBe(200);

    // Inside the grace window B hands back the successor A stored, not a second one.
    const retry = await onB.post('/api/v1/auth/refresh', { refreshToken: login.refreshToken });
    expect(retry.status).toBe(200);
    expect(retry.body.data.refreshToken).toBe(rotated.body.data.refreshToken);

    clock.advance(11_000);
    const reuse = await onB.post('/api/v1/auth/refresh', { refreshToken: login.refreshToken });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('REFRESH_TOKEN_REUSED');

    const successor = await onA.post('/api/v1/auth/refresh', { refreshToken: rotated.body.data.refreshToken });
    expect(successor.status).toBe(401);
    expect(successor.body.error.code).toBe('SESSION_REVOKED');
    for (const server of [a, b]) {
      const res = await caller(server).get('/api/v1/auth/me', rotated.body.data.token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('TOKEN_REVOKED');
    }
    const events = await b.core.stores.audit.listForUser(login.user.id, 20);
    expect(events.map((e) => e.type)).toContain('refresh_reuse_detected');
  });

  it('sees on B a user registered on A, and a session started on B works on A', async () => {
    const email = uniqueEmail();
    await registerV1(caller(a), email);
    const login = await caller(b).post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    const me = await caller(a).get('/api/v1/auth/me', login.body.data.token);
    expect(me.status).toBe(200);
    expect(me.body.data.user.email).toBe(email);
  });
});

describe('two instances starting at once on a fresh PostgreSQL schema', () => {
  let target: StorageTarget;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    target = await postgresTarget();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await target?.dispose();
  });

  it('migrate safely, agree on one signing key, and verify each other’s tokens, also after a rotation on A', async () => {
    // Both race to create the schema and the environment's first key.
    [a, b] = await Promise.all([startServer(target), startServer(target)]);
    expect(kidsOf(a)).toHaveLength(1);
    expect(kidsOf(b)).toEqual(kidsOf(a));
    const stored = await a.core.stores.signingKeys.listForEnv(a.config.env);
    expect(stored).toHaveLength(1);

    const fromA = await registerV1(caller(a), uniqueEmail());
    const fromB = await registerV1(caller(b), uniqueEmail());
    expect((await caller(b).get('/api/v1/auth/me', fromA.token)).status).toBe(200);
    expect((await caller(a).get('/api/v1/auth/me', fromB.token)).status).toBe(200);

    // A signs with the new key at once; B has never seen its kid and must reload to verify.
    const newKid = await a.core.keys.rotate();
    expect(kidsOf(b)).not.toContain(newKid);
    const afterRotation = await registerV1(caller(a), uniqueEmail());
    expect(decodeProtectedHeader(afterRotation.token).kid).toBe(newKid);
    const onB = await caller(b).get('/api/v1/auth/me', afterRotation.token);
    expect(onB.status).toBe(200);
    expect(kidsOf(b)).toContain(newKid);
    // Old tokens keep verifying on both.
    expect((await caller(b).get('/api/v1/auth/me', fromA.token)).status).toBe(200);
    expect((await caller(a).get('/api/v1/auth/me', fromB.token)).status).toBe(200);
    const jwks = await caller(b).get('/.well-known/jwks.json');
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid).sort()).toEqual(kidsOf(a));
  });
});

describe('two instances on one embedded DATA_DIR', () => {
  let target: StorageTarget;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    target = embeddedTarget();
    // Started at once on a fresh folder: migrations and the first signing key must not race.
    [a, b] = await Promise.all([startServer(target, LIMITS), startServer(target, LIMITS)]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await target?.dispose();
  });

  it('share the generated secret and signing keys', async () => {
    expect(kidsOf(b)).toEqual(kidsOf(a));
    const login = await registerV1(caller(a), uniqueEmail());
    expect((await caller(b).get('/api/v1/auth/me', login.token)).status).toBe(200);
  });

  it('refuse on B a token B had cached, within OTHER_PROCESS_LAG_MS of logout on A', async () => {
    const login = await registerV1(caller(a), uniqueEmail());
    expect((await caller(b).get('/api/v1/auth/me', login.token)).status).toBe(200);
    expect((await caller(a).post('/api/v1/auth/logout', undefined, login.token)).status).toBe(200);
    await waitOutOtherProcessLag();
    const after = await caller(b).get('/api/v1/auth/me', login.token);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('TOKEN_REVOKED');
    expect((await caller(b).post('/api/v1/auth/refresh', { refreshToken: login.refreshToken })).body.error.code).toBe(
      'SESSION_REVOKED',
    );
  });

  it('count the lockout across both', async () => {
    const email = uniqueEmail();
    await registerV1(caller(a), email);
    for (const server of [a, b, a])
      expect((await caller(server).post('/api/v1/auth/login', { email, password: 'x' })).status).toBe(401);
    expect((await caller(b).post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(423);
  });
});

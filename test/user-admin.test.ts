import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../src/core/errors.js';
import { deleteUser, resetTwoFactor, setUserPlan, setUserRole } from '../src/core/users/user-admin.js';
import { normalizeEmail } from '../src/core/users/user.js';
import { caller, PASSWORD, registerV1, type Caller } from './helpers/api.js';
import { ingestAccount, openIngestTestbed, upload, uploadedFiles, type IngestTestbed } from './helpers/ingest.js';
import { uniqueEmail, type TestServer } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';
import { enrolTwoFactor } from './helpers/totp.js';
import { audioPart, wav } from './helpers/upload.js';

const OPERATOR = { ip: 'cli', userAgent: 'latchkey cli' };

async function failure(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

describe.each(TARGETS)('operator changes to users on $name', ({ create }) => {
  let testbed: IngestTestbed;
  let server: TestServer;
  let client: Caller;

  beforeAll(async () => {
    testbed = await openIngestTestbed(create);
    server = testbed.server;
    client = caller(server);
  });
  afterAll(async () => {
    await testbed?.close();
  });

  async function createPat(token: string, name: string) {
    const res = await client.post('/api/v1/tokens', { name, scopes: ['agents:read'] }, token);
    expect(res.status).toBe(201);
    return res.body.data as { id: string; prefix: string; token: string };
  }

  async function events(userId: string, type: string) {
    return (await server.core.stores.audit.listForUser(userId, 50)).filter((e) => e.type === type);
  }

  it('a demotion revokes at once the tokens created under the higher role, and only those, and signs the user out', async () => {
    const { user, token } = await registerV1(client, uniqueEmail());
    const asUser = await createPat(token, 'made as USER');

    const promotion = await setUserRole(server.core, user.id, 'ADMIN', OPERATOR);
    expect(promotion).toEqual({ previousRole: 'USER', role: 'ADMIN', revokedTokens: [], sessionsEnded: 0 });
    // A promotion takes nothing away: the session goes on.
    expect((await client.get('/api/v1/auth/me', token)).status).toBe(200);
    const asAdmin = await createPat(token, 'made as ADMIN');
    expect((await client.get('/api/v1/agents?all=true', asAdmin.token)).status).toBe(200);

    const demotion = await setUserRole(server.core, user.id, 'USER', OPERATOR);
    expect(demotion.previousRole).toBe('ADMIN');
    expect(demotion.revokedTokens).toEqual([
      { id: asAdmin.id, name: 'made as ADMIN', prefix: asAdmin.prefix, role: 'ADMIN' },
    ]);
    expect(demotion.sessionsEnded).toBe(1);
    expect(JSON.stringify(demotion)).not.toContain(asAdmin.token);

    const refused = await client.get('/api/v1/agents?all=true', asAdmin.token);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('INVALID_PAT');
    // The access token carried ADMIN: its session ended with the demotion.
    expect((await client.get('/api/v1/auth/me', token)).status).toBe(401);
    expect((await client.get('/api/v1/agents', asUser.token)).status).toBe(200);

    const audited = (await events(user.id, 'role_changed')).map((e) => e.details);
    expect(audited).toHaveLength(2);
    expect(audited).toContainEqual({ from: 'USER', to: 'ADMIN', revokedTokenIds: [], sessionsEnded: 0 });
    expect(audited).toContainEqual({ from: 'ADMIN', to: 'USER', revokedTokenIds: [asAdmin.id], sessionsEnded: 1 });
  });

  it('sets a plan of the PLANS setting only, and new tokens carry it', async () => {
    const email = uniqueEmail();
    const { user } = await registerV1(client, email);
    expect((await failure(setUserPlan(server.core, user.id, 'gold', OPERATOR))).code).toBe('VALIDATION_FAILED');
    expect(await setUserPlan(server.core, user.id, 'pro', OPERATOR)).toBe('PRO');
    const login = await client.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(login.body.data.user.plan).toBe('PRO');
    expect((await events(user.id, 'plan_changed')).map((e) => e.details)).toEqual([{ to: 'PRO' }]);
  });

  it('resets 2FA for a user who lost the authenticator and the recovery codes, ending every session', async () => {
    const email = uniqueEmail();
    const { user, token } = await registerV1(client, email);
    await enrolTwoFactor(client, token, testbed.clock);
    expect((await client.post('/api/v1/auth/login', { email, password: PASSWORD })).body.data.requires2FA).toBe(true);

    expect(await resetTwoFactor(server.core, user, OPERATOR)).toBe(1);
    expect((await client.get('/api/v1/auth/me', token)).status).toBe(401);
    const login = await client.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.data.token).toEqual(expect.any(String));
    expect((await events(user.id, 'mfa_reset')).map((e) => e.details)).toEqual([{ sessionsRevoked: 1 }]);
    expect((await failure(resetTwoFactor(server.core, user, OPERATOR))).code).toBe('MFA_NOT_ENABLED');
  });

  it("deletes a user with the user's data and uploaded files; every token and key stops at once", async () => {
    const { userId, token, key } = await ingestAccount(server);
    const pat = await createPat(token, 'to be deleted');
    expect((await client.post('/api/v1/agents', { name: 'Front desk' }, token)).status).toBe(201);
    expect((await upload(server, { 'x-api-key': key }, [audioPart(wav(10))])).statusCode).toBe(201);
    expect(uploadedFiles(testbed.dataDir, userId)).toHaveLength(1);
    // Looked up once, so a cached lookup has to be refused too.
    expect((await client.get('/api/v1/agents', pat.token)).status).toBe(200);

    const user = (await server.core.stores.users.findById(userId))!;
    expect(await deleteUser(server.core, user, OPERATOR)).toEqual({ files: 1 });

    expect(await server.core.stores.users.findById(userId)).toBeNull();
    expect(uploadedFiles(testbed.dataDir, userId)).toEqual([]);
    expect(await server.core.stores.agents.list({ userId, limit: 10, offset: 0 })).toEqual([]);
    expect(await server.core.stores.voiceLogs.listStoragePaths(userId)).toEqual([]);
    expect((await client.get('/api/v1/auth/me', token)).status).toBe(401);
    expect((await client.get('/api/v1/agents', pat.token)).status).toBe(401);
    expect((await upload(server, { 'x-api-key': key }, [audioPart(wav(10))])).statusCode).toBe(401);
    expect((await events(userId, 'user_deleted')).map((e) => e.details)).toEqual([{ email: user.email, files: 1 }]);
  });

  it('forgets the lockout of a deleted account, so a new account on the e-mail starts clean', async () => {
    const email = uniqueEmail();
    await registerV1(client, email);
    // Each guess from its own address: the account's lockout, not an IP's rate limit, answers.
    for (let i = 0; i < 5; i++)
      expect((await caller(server).post('/api/v1/auth/login', { email, password: 'stranger guess' })).status).toBe(401);
    expect((await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(423);

    const user = (await server.core.stores.users.findByEmail(normalizeEmail(email)))!;
    await deleteUser(server.core, user, OPERATOR);
    await registerV1(caller(server), email);
    expect((await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });
});

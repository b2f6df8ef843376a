import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unlockAccount } from '../src/core/limits/unlock-account.js';
import { caller, PASSWORD, registerV1 } from './helpers/api.js';
import { startServer, uniqueEmail, uniqueIp, type TestServer } from './helpers/server.js';
import { TARGETS, type StorageTarget } from './helpers/targets.js';
import { enrolTwoFactor, midStepClock } from './helpers/totp.js';

const DEVICE_COOKIE = /^latchkey_device=([^;]+);/;

describe.each(TARGETS)('device cookies on $name', ({ create }) => {
  const clock = midStepClock();
  let target: StorageTarget;
  let server: TestServer;

  beforeAll(async () => {
    target = await create();
    server = await startServer(
      target,
      {
        LOCKOUT_MAX_FAILURES: '3',
        LOCKOUT_BLOCK_FAILURES: '4',
        MFA_LOCKOUT_MAX_FAILURES: '3',
        LOGIN_RATE_LIMIT: '1000',
        DEVICE_COOKIE_TTL_SECONDS: '86400',
      },
      clock,
    );
  });
  afterAll(async () => {
    await server?.close();
    await target?.dispose();
  });

  type Device = { cookie?: string; header?: string };
  const send = (url: string, payload: object, device: Device = {}, ip = uniqueIp()) =>
    server.app.inject({
      method: 'POST',
      url,
      remoteAddress: ip,
      headers: {
        ...(device.cookie === undefined ? {} : { cookie: device.cookie }),
        ...(device.header === undefined ? {} : { 'x-latchkey-device': device.header }),
      },
      payload,
    });
  const login = (email: string, password: string, device?: Device, path = '/api/v1/auth/login') =>
    send(path, { email, password }, device);

  /** The device value a successful login set. */
  function deviceValue(res: { headers: Record<string, unknown> }): string {
    const cookies = ([] as unknown[]).concat(res.headers['set-cookie'] ?? []).map(String);
    const match = cookies.map((c) => DEVICE_COOKIE.exec(c)).find(Boolean);
    if (!match?.[1]) throw new Error(`no device cookie in ${JSON.stringify(cookies)}`);
    return match[1];
  }

  /** A registered account and the device cookie of the owner's browser. */
  async function ownerWithDevice() {
    const email = uniqueEmail();
    await registerV1(caller(server), email);
    const res = await login(email, PASSWORD);
    expect(res.statusCode).toBe(200);
    return { email, device: deviceValue(res) };
  }

  const lockAccountWide = async (email: string) => {
    for (let i = 0; i < 3; i++) expect((await login(email, 'stranger guess')).statusCode).toBe(401);
    expect((await login(email, PASSWORD)).statusCode).toBe(423);
  };

  it('sets an HttpOnly, SameSite=Strict cookie for /api after a sign-up or successful login on either surface, and none after a failure', async () => {
    const email = uniqueEmail();
    const signUps = [
      await login(email, PASSWORD, {}, '/api/v1/auth/register'),
      await login(uniqueEmail(), PASSWORD, {}, '/api/auth/register'),
    ];
    expect(signUps.map((r) => r.statusCode)).toEqual([201, 201]);
    for (const res of [
      ...signUps,
      await login(email, PASSWORD, {}, '/api/v1/auth/login'),
      await login(email, PASSWORD, {}, '/api/auth/login'),
    ]) {
      const cookie = ([] as string[])
        .concat(res.headers['set-cookie'] as string | string[])
        .find((c) => DEVICE_COOKIE.test(c))!;
      expect(cookie).toMatch(/; Max-Age=86400; Path=\/api; HttpOnly; SameSite=Strict$/);
    }
    expect((await login(email, 'wrong')).headers['set-cookie']).toBeUndefined();
  });

  it('is Secure when PUBLIC_URL is https', async () => {
    const https = await startServer(target, { PUBLIC_URL: 'https://auth.example.com' }, clock);
    try {
      const email = uniqueEmail();
      await registerV1(caller(https), email);
      const res = await https.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: uniqueIp(),
        payload: { email, password: PASSWORD },
      });
      expect(String(res.headers['set-cookie'])).toMatch(/latchkey_device=[^;]+;.*; Secure/);
    } finally {
      await https.close();
    }
  });

  it("lets the owner's known browser in while strangers' failures lock and even block the account", async () => {
    const { email, device } = await ownerWithDevice();
    await lockAccountWide(email);
    expect((await login(email, PASSWORD, { cookie: `latchkey_device=${device}` })).statusCode).toBe(200);
    expect((await login(email, PASSWORD, { header: device }, '/api/auth/login')).statusCode).toBe(200);
    // The fourth stranger failure blocks the password account-wide; the device goes on.
    clock.advance(30 * 60_000);
    expect((await login(email, 'stranger guess')).statusCode).toBe(401);
    expect(JSON.parse((await login(email, PASSWORD)).body).error.details).toEqual({ reason: 'blocked' });
    expect((await login(email, PASSWORD, { header: device })).statusCode).toBe(200);
  });

  it('gives a device its own budget: its failures lock it, not the account', async () => {
    const { email, device } = await ownerWithDevice();
    for (let i = 0; i < 3; i++) expect((await login(email, 'typo', { header: device })).statusCode).toBe(401);
    const locked = await login(email, PASSWORD, { header: device });
    expect(locked.statusCode).toBe(423);
    expect(JSON.parse(locked.body).error).toEqual({
      code: 'ACCOUNT_LOCKED',
      message: 'Account locked',
      details: { reason: 'temporary', retryAfterSeconds: 1800 },
    });
    // Other clients still have the account's budget, untouched.
    expect((await login(email, PASSWORD)).statusCode).toBe(200);
    // A success through the device clears the device's count only.
    clock.advance(30 * 60_000);
    expect((await login(email, PASSWORD, { header: device })).statusCode).toBe(200);
    for (let i = 0; i < 2; i++) expect((await login(email, 'typo', { header: device })).statusCode).toBe(401);
    expect((await login(email, PASSWORD, { header: device })).statusCode).toBe(200);
  });

  it("counts a tampered, expired or other account's cookie account-wide, as if none came", async () => {
    const { email, device } = await ownerWithDevice();
    const other = await ownerWithDevice();
    const [version, id, expires, mac] = device.split('.');
    const tampered = `${version}.${id}.${Number(expires) + 1}.${mac}`;
    for (const presented of [tampered, other.device, `${device}x`]) {
      expect((await login(email, 'guess', { header: presented })).statusCode).toBe(401);
    }
    // Those three were the account's: the account is locked, and none of those values gets past it.
    expect((await login(email, PASSWORD)).statusCode).toBe(423);
    expect((await login(email, PASSWORD, { header: tampered })).statusCode).toBe(423);
    expect((await login(email, PASSWORD, { header: device })).statusCode).toBe(200);
    // Once expired (DEVICE_COOKIE_TTL_SECONDS), the owner's cookie is ignored too: its failure is the
    // account's fourth, which blocks the password for every client without a valid cookie.
    clock.advance(2 * 24 * 60 * 60_000);
    expect((await login(email, 'guess', { header: device })).statusCode).toBe(401);
    expect(JSON.parse((await login(email, PASSWORD, { header: device })).body).error.details).toEqual({
      reason: 'blocked',
    });
  });

  it('ignores two device cookies at once (cookie tossing) and counts account-wide', async () => {
    const { email, device } = await ownerWithDevice();
    await lockAccountWide(email);
    const tossed = `latchkey_device=${device}; latchkey_device=${device}`;
    expect((await login(email, PASSWORD, { cookie: tossed })).statusCode).toBe(423);
  });

  it('counts the second step account-wide, device cookie or not: whoever reaches it knows the password', async () => {
    const client = caller(server);
    const email = uniqueEmail();
    const { token } = await registerV1(client, email);
    const { app } = await enrolTwoFactor(client, token, clock);
    const pendingFor = async (device?: Device) =>
      JSON.parse((await login(email, PASSWORD, device)).body).data.pendingToken as string;
    const first = await send('/api/v1/auth/verify-2fa', { pendingToken: await pendingFor(), code: app.code() });
    expect(first.statusCode).toBe(200);
    const device = deviceValue(first);
    clock.advance(30_000);

    for (let i = 0; i < 3; i++)
      expect(
        (
          await send(
            '/api/v1/auth/verify-2fa',
            { pendingToken: await pendingFor({ header: device }), code: app.code(3) },
            { header: device },
          )
        ).statusCode,
      ).toBe(401);
    const locked = await send('/api/auth/mfa/verify', { mfa_token: await pendingFor(), code: app.code() });
    expect(locked.statusCode).toBe(423);
    expect(JSON.parse(locked.body).code).toBe('MFA_LOCKED');
  });

  it('voids every device cookie of the account when its password changes', async () => {
    const { email, device } = await ownerWithDevice();
    const session = JSON.parse((await login(email, PASSWORD)).body).data.token as string;
    const changed = await caller(server).post(
      '/api/v1/auth/change-password',
      { currentPassword: PASSWORD, newPassword: 'a different passphrase 7' },
      session,
    );
    expect(changed.status).toBe(200);
    // The old cookie no longer opens a budget of its own: its failures count account-wide.
    for (let i = 0; i < 3; i++) expect((await login(email, 'old guess', { header: device })).statusCode).toBe(401);
    expect((await login(email, 'a different passphrase 7')).statusCode).toBe(423);
  });

  it.each([
    ['/api/auth/reauthenticate', { password: 'typo' }],
    ['/api/auth/change-password', { current_password: 'typo', new_password: 'another fine passphrase' }],
  ])("counts the owner's wrong passwords on the flat %s against the device, not the account", async (url, payload) => {
    const email = uniqueEmail();
    await registerV1(caller(server), email);
    const signedIn = await login(email, PASSWORD, {}, '/api/auth/login');
    const device = deviceValue(signedIn);
    const headers = {
      authorization: `Bearer ${JSON.parse(signedIn.body).access_token}`,
      cookie: `latchkey_device=${device}`,
    };
    for (let i = 0; i < 5; i++) {
      const res = await server.app.inject({ method: 'POST', url, remoteAddress: uniqueIp(), headers, payload });
      expect(res.statusCode).toBe(i < 3 ? 401 : 423);
    }
    // The device is locked; a client without the cookie still has the account's budget.
    expect((await login(email, PASSWORD)).statusCode).toBe(200);
    expect((await login(email, PASSWORD, { cookie: `latchkey_device=${device}` })).statusCode).toBe(423);
  });

  it('is cleared by the operator unlock: device budgets and blocks start over', async () => {
    const { email, device } = await ownerWithDevice();
    for (let i = 0; i < 4; i++) {
      expect((await login(email, 'typo', { header: device })).statusCode).toBe(401);
      clock.advance(2 * 60 * 60_000);
    }
    expect(JSON.parse((await login(email, PASSWORD, { header: device })).body).error.details).toEqual({
      reason: 'blocked',
    });
    await unlockAccount(server.core, email);
    expect((await login(email, PASSWORD, { header: device })).statusCode).toBe(200);
  });
});

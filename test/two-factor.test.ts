import { describe, expect, it } from 'vitest';
import { caller, PASSWORD, registerV1, type Caller } from './helpers/api.js';
import { startServer, useServer, uniqueEmail } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';
import { authenticator as authenticatorFor, enrolTwoFactor, midStepClock, TOTP_STEP_MS } from './helpers/totp.js';

describe.each(TARGETS)('two-factor authentication on $name', ({ create }) => {
  const clock = midStepClock();

  const { server, target } = useServer(create, { MFA_LOCKOUT_MAX_FAILURES: '7', LOGIN_RATE_LIMIT: '1000' }, clock);

  const authenticator = (otpauthUrl: string) => authenticatorFor(otpauthUrl, clock);

  /** Registers and enrols a user on the v1 surface. */
  async function enrolledUser(client: Caller) {
    const email = uniqueEmail();
    const { token } = await registerV1(client, email);
    return { email, token, ...(await enrolTwoFactor(client, token, clock)) };
  }

  async function pendingLoginV1(client: Caller, email: string): Promise<string> {
    const res = await client.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { requires2FA: true, pendingToken: expect.any(String) } });
    return res.body.data.pendingToken;
  }

  describe('enrolment', () => {
    it('returns a Key URI Format URI, the secret, and the QR code as SVG and PNG', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      const { token } = await registerV1(client, email);
      const res = await client.post('/api/v1/auth/2fa/setup', undefined, token);
      const { secret, otpauthUrl, qrCodeSvg, qrCodeDataUrl } = res.body.data;
      const uri = new URL(otpauthUrl);
      expect(uri.protocol).toBe('otpauth:');
      expect(decodeURIComponent(uri.pathname)).toBe(`/Latchkey:${email}`);
      expect(Object.fromEntries(uri.searchParams)).toEqual({
        secret,
        issuer: 'Latchkey',
        algorithm: 'SHA1',
        digits: '6',
        period: '30',
      });
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(qrCodeSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
      expect(qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
    });

    it('replaces the pending secret when setup is called again, and refuses the old one', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const first = authenticator((await client.post('/api/auth/mfa/setup', undefined, token)).body.otpauth_url);
      const second = authenticator((await client.post('/api/auth/mfa/setup', undefined, token)).body.otpauth_url);
      const stale = await client.post('/api/auth/mfa/verify-setup', { code: first.code() }, token);
      expect(stale.status).toBe(401);
      expect(stale.body.code).toBe('INVALID_2FA_CODE');
      const res = await client.post('/api/auth/mfa/verify-setup', { code: second.code() }, token);
      expect(res.status).toBe(200);
      expect(res.body.enabled).toBe(true);
      expect(res.body.recovery_codes).toHaveLength(10);
    });

    it('answers 409 to setup when 2FA is already on', async () => {
      const client = caller(server);
      const { token } = await enrolledUser(client);
      const res = await client.post('/api/v1/auth/2fa/setup', undefined, token);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('MFA_ALREADY_ENABLED');
    });

    it('refuses verify-setup before setup', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const res = await client.post('/api/v1/auth/2fa/verify-setup', { code: '123456' }, token);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('MFA_SETUP_NOT_STARTED');
    });

    it('stores the secret encrypted, and never returns it after setup', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      const { token } = await registerV1(client, email);
      const setup = (await client.post('/api/v1/auth/2fa/setup', undefined, token)).body.data;
      await client.post('/api/v1/auth/2fa/verify-setup', { code: authenticator(setup.otpauthUrl).code() }, token);
      const me = await client.get('/api/v1/auth/me', token);
      const stored = await server.core.stores.twoFactor.findCredential(me.body.data.user.id);
      expect(stored?.secretEnc).toBeTruthy();
      expect(stored?.secretEnc).not.toContain(setup.secret);
      expect(JSON.stringify(me.body)).not.toContain(setup.secret);
      expect(me.body.data.user.twoFactorEnabled).toBe(true);
    });
  });

  describe('login with 2FA on', () => {
    it('v1: password gives a pending token and no session; verify-2fa answers like a login', async () => {
      const client = caller(server);
      const { email, app } = await enrolledUser(client);
      const pendingToken = await pendingLoginV1(client, email);
      const res = await client.post('/api/v1/auth/verify-2fa', { pendingToken, code: app.code() });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.data).sort()).toEqual(['refreshToken', 'token', 'user']);
      expect(res.body.data.user.email).toBe(email);
      expect((await client.get('/api/v1/agents', res.body.data.token)).status).toBe(200);
    });

    it('v1 cookie mode: verify-2fa puts the refresh token in the cookie, not the body', async () => {
      const client = caller(server);
      const { email, recoveryCodes } = await enrolledUser(client);
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/verify-2fa',
        remoteAddress: client.ip,
        headers: { 'x-refresh-token-mode': 'cookie' },
        payload: { pendingToken: await pendingLoginV1(client, email), code: recoveryCodes[0] },
      });
      expect(res.statusCode).toBe(200);
      expect(Object.keys(JSON.parse(res.body).data).sort()).toEqual(['token', 'user']);
      expect(String(res.headers['set-cookie'])).toMatch(/^latchkey_refresh=[^;]+; .*HttpOnly/);
    });

    it('flat: mfa_required and mfa_token, then /mfa/verify answers the token pair', async () => {
      const client = caller(server);
      const { email, app } = await enrolledUser(client);
      const first = await client.post('/api/auth/login', { email, password: PASSWORD });
      expect(first.body).toEqual({ mfa_required: true, mfa_token: expect.any(String) });
      const res = await client.post('/api/auth/mfa/verify', { mfa_token: first.body.mfa_token, code: app.code() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 900,
      });
    });

    it('accepts a recovery code in place of a TOTP code, once', async () => {
      const client = caller(server);
      const { email, recoveryCodes } = await enrolledUser(client);
      const ok = await client.post('/api/v1/auth/verify-2fa', {
        pendingToken: await pendingLoginV1(client, email),
        code: recoveryCodes[0]!.toUpperCase(),
      });
      expect(ok.status).toBe(200);
      const again = await client.post('/api/v1/auth/verify-2fa', {
        pendingToken: await pendingLoginV1(client, email),
        code: recoveryCodes[0],
      });
      expect(again.status).toBe(401);
      expect(again.body.error.code).toBe('INVALID_2FA_CODE');
    });

    it('refuses a code that was already accepted (replay)', async () => {
      const client = caller(server);
      const { email, app } = await enrolledUser(client);
      const code = app.code();
      expect(
        (await client.post('/api/v1/auth/verify-2fa', { pendingToken: await pendingLoginV1(client, email), code }))
          .status,
      ).toBe(200);
      const replay = await client.post('/api/v1/auth/verify-2fa', {
        pendingToken: await pendingLoginV1(client, email),
        code,
      });
      expect(replay.status).toBe(401);
      expect(replay.body.error.code).toBe('INVALID_2FA_CODE');
    });

    it('accepts one step of drift either way and refuses two', async () => {
      const client = caller(server);
      const { email, app } = await enrolledUser(client);
      // Two steps on, so that one step back is later than the step used to enrol (a replay otherwise).
      clock.advance(2 * TOTP_STEP_MS);
      const tooEarly = await client.post('/api/v1/auth/verify-2fa', {
        pendingToken: await pendingLoginV1(client, email),
        code: app.code(-2),
      });
      expect(tooEarly.status).toBe(401);
      expect(
        (
          await client.post('/api/v1/auth/verify-2fa', {
            pendingToken: await pendingLoginV1(client, email),
            code: app.code(-1),
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await client.post('/api/v1/auth/verify-2fa', {
            pendingToken: await pendingLoginV1(client, email),
            code: app.code(1),
          })
        ).status,
      ).toBe(200);
      const tooLate = await client.post('/api/v1/auth/verify-2fa', {
        pendingToken: await pendingLoginV1(client, email),
        code: app.code(2),
      });
      expect(tooLate.status).toBe(401);
    });

    it('expires the pending token after five minutes', async () => {
      const client = caller(server);
      const { email, app } = await enrolledUser(client);
      const pendingToken = await pendingLoginV1(client, email);
      clock.advance(5 * 60_000 + 1_000);
      const res = await client.post('/api/v1/auth/verify-2fa', { pendingToken, code: app.code() });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('INVALID_PENDING_TOKEN');
    });

    it('lets a pending token work once', async () => {
      const client = caller(server);
      const { email, app } = await enrolledUser(client);
      const pendingToken = await pendingLoginV1(client, email);
      expect((await client.post('/api/v1/auth/verify-2fa', { pendingToken, code: app.code() })).status).toBe(200);
      clock.advance(TOTP_STEP_MS);
      const reuse = await client.post('/api/v1/auth/verify-2fa', { pendingToken, code: app.code() });
      expect(reuse.status).toBe(401);
      expect(reuse.body.error.code).toBe('INVALID_PENDING_TOKEN');
    });

    it('refuses the pending token as a bearer token, saying where it goes', async () => {
      const client = caller(server);
      const { email } = await enrolledUser(client);
      const res = await client.get('/api/v1/agents', await pendingLoginV1(client, email));
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('PENDING_TOKEN_AS_BEARER');
    });

    it('spends a pending token after five wrong codes', async () => {
      const client = caller(server);
      const { email, app } = await enrolledUser(client);
      const pendingToken = await pendingLoginV1(client, email);
      for (let i = 0; i < 5; i++) {
        expect((await client.post('/api/v1/auth/verify-2fa', { pendingToken, code: '000000' })).body.error.code).toBe(
          'INVALID_2FA_CODE',
        );
      }
      const sixth = await client.post('/api/v1/auth/verify-2fa', { pendingToken, code: app.code() });
      expect(sixth.status).toBe(401);
      expect(sixth.body.error.code).toBe('INVALID_PENDING_TOKEN');
    });

    it('locks the second factor across pending tokens, counting parallel guesses atomically', async () => {
      const client = caller(server);
      const { email, app } = await enrolledUser(client);
      // 7 allowed failures, spread over several pending tokens and sent in parallel.
      const tokens = await Promise.all(Array.from({ length: 4 }, () => pendingLoginV1(client, email)));
      const guesses = tokens.flatMap((pendingToken) =>
        Array.from({ length: 3 }, () => ({ pendingToken, code: '000000' })),
      );
      const results = await Promise.all(guesses.map((body) => client.post('/api/v1/auth/verify-2fa', body)));
      const codes = results.map((r) => r.body.error.code);
      expect(codes.filter((c) => c === 'INVALID_2FA_CODE')).toHaveLength(7);
      expect(codes.filter((c) => c === 'MFA_LOCKED')).toHaveLength(5);
      const right = await client.post('/api/v1/auth/verify-2fa', {
        pendingToken: await pendingLoginV1(client, email),
        code: app.code(),
      });
      expect(right.status).toBe(423);
      expect(right.body.error.code).toBe('MFA_LOCKED');
    });

    it('counts second-factor attempts toward the IP limit', async () => {
      const limited = await startServer(target, { LOGIN_RATE_LIMIT: '3' }, clock);
      try {
        const client = caller(limited);
        const email = uniqueEmail();
        const { token } = await registerV1(caller(server), email);
        const setup = await caller(server).post('/api/v1/auth/2fa/setup', undefined, token);
        await caller(server).post(
          '/api/v1/auth/2fa/verify-setup',
          { code: authenticator(setup.body.data.otpauthUrl).code() },
          token,
        );
        const pendingToken = (await client.post('/api/v1/auth/login', { email, password: PASSWORD })).body.data
          .pendingToken;
        const statuses = [];
        for (let i = 0; i < 3; i++)
          statuses.push((await client.post('/api/v1/auth/verify-2fa', { pendingToken, code: '000000' })).status);
        expect(statuses).toEqual([401, 401, 429]);
      } finally {
        await limited.close();
      }
    });
  });

  describe('disable and recovery codes', () => {
    it('disables with password and code on both surfaces, after which login is one step', async () => {
      for (const surface of ['v1', 'flat'] as const) {
        const client = caller(server);
        const { email, app, token } = await enrolledUser(client);
        const url = surface === 'v1' ? '/api/v1/auth/2fa/disable' : '/api/auth/mfa/disable';
        const wrongPassword = await client.post(url, { code: app.code(), password: 'not-the-password' }, token);
        expect(wrongPassword.status).toBe(401);
        const noCode = await client.post(url, { code: '000000', password: PASSWORD }, token);
        expect(noCode.status).toBe(401);
        const res = await client.post(url, { code: app.code(), password: PASSWORD }, token);
        expect(res.status).toBe(200);
        const login = await client.post('/api/v1/auth/login', { email, password: PASSWORD });
        expect(login.body.data.token).toEqual(expect.any(String));
      }
    });

    it('checks the password on disable under the login lockout, so a stolen token cannot guess it', async () => {
      const client = caller(server);
      const { email, app, token } = await enrolledUser(client);
      for (let i = 0; i < 5; i++) {
        expect(
          (await client.post('/api/v1/auth/2fa/disable', { code: app.code(), password: `guess-${i}` }, token)).status,
        ).toBe(401);
      }
      const right = await client.post('/api/v1/auth/2fa/disable', { code: app.code(), password: PASSWORD }, token);
      expect(right.status).toBe(423);
      expect(right.body.error.code).toBe('ACCOUNT_LOCKED');
      expect((await client.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(423);
    });

    it('answers MFA_NOT_ENABLED to disable before checking any password', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const res = await client.post('/api/auth/mfa/disable', { code: '123456', password: 'anything-at-all' }, token);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('MFA_NOT_ENABLED');
    });

    it('regenerates recovery codes with a code, and the old set stops working', async () => {
      const client = caller(server);
      const { email, app, token, recoveryCodes } = await enrolledUser(client);
      const res = await client.post('/api/v1/auth/2fa/recovery-codes', { code: app.code() }, token);
      expect(res.status).toBe(200);
      const fresh: string[] = res.body.data.recoveryCodes;
      expect(fresh).toHaveLength(10);
      expect(fresh).not.toContain(recoveryCodes[1]);
      const old = await client.post('/api/v1/auth/verify-2fa', {
        pendingToken: await pendingLoginV1(client, email),
        code: recoveryCodes[1],
      });
      expect(old.body.error.code).toBe('INVALID_2FA_CODE');
      const ok = await client.post('/api/v1/auth/verify-2fa', {
        pendingToken: await pendingLoginV1(client, email),
        code: fresh[1],
      });
      expect(ok.status).toBe(200);
    });

    it('writes audit events for enrolment, success, failure and disable', async () => {
      const client = caller(server);
      const { email, app, token } = await enrolledUser(client);
      await client.post('/api/v1/auth/verify-2fa', {
        pendingToken: await pendingLoginV1(client, email),
        code: '000000',
      });
      await client.post('/api/v1/auth/verify-2fa', {
        pendingToken: await pendingLoginV1(client, email),
        code: app.code(),
      });
      clock.advance(TOTP_STEP_MS);
      await client.post('/api/v1/auth/2fa/disable', { code: app.code(), password: PASSWORD }, token);
      const userId = (await client.get('/api/v1/auth/me', token)).body.data.user.id;
      const types = (await server.core.stores.audit.listForUser(userId, 50)).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['mfa_enabled', 'mfa_failed', 'login_succeeded', 'mfa_disabled']));
    });
  });
});

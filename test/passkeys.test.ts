import { describe, expect, it } from 'vitest';
import { setUserDisabled } from '../src/core/index.js';
import { caller, PASSWORD, registerV1, type Caller } from './helpers/api.js';
import {
  loginOptions,
  OTHER_ORIGIN,
  passkeyLogin,
  PASSKEY_ENV,
  patch,
  platformAuthenticator,
  registerPasskey,
  RP_ID,
} from './helpers/passkeys.js';
import { uniqueEmail, useServer } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';
import { enrolTwoFactor, midStepClock } from './helpers/totp.js';

const FIVE_MINUTES_MS = 300_000;
// Shorter than the access token's life, so a test can outlive the recent login with the same token.
const RECENT_SECONDS = 600;
const PAST_RECENT_MS = (RECENT_SECONDS + 1) * 1000;

describe.each(TARGETS)('passkeys on $name', ({ create }) => {
  const clock = midStepClock();
  const { server } = useServer(
    create,
    { ...PASSKEY_ENV, LOGIN_RATE_LIMIT: '1000', RECENT_LOGIN_MAX_AGE_SECONDS: String(RECENT_SECONDS) },
    clock,
  );

  async function userWithPasskey(client: Caller = caller(server), authenticator = platformAuthenticator()) {
    const email = uniqueEmail();
    const session = await registerV1(client, email);
    const passkey = await registerPasskey(client, session.token, authenticator);
    return { email, ...session, passkey, authenticator };
  }

  async function auditTypes(userId: string): Promise<string[]> {
    return (await server.core.stores.audit.listForUser(userId, 100)).map((e) => e.type);
  }

  describe('registration', () => {
    it('offers a discoverable credential with user verification preferred, excluding the ones registered', async () => {
      const client = caller(server);
      const { token, authenticator } = await userWithPasskey(client);
      const res = await client.post('/api/v1/auth/passkeys/register/options', undefined, token);
      expect(res.status).toBe(200);
      const options = res.body.data;
      expect(options.rp).toEqual({ id: RP_ID, name: 'Latchkey' });
      expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'preferred' });
      expect(options.attestation).toBe('none');
      expect(options.timeout).toBe(FIVE_MINUTES_MS);
      expect(options.excludeCredentials).toEqual([
        {
          id: Buffer.from(authenticator.credentials[0]!.id).toString('base64url'),
          type: 'public-key',
          transports: ['internal', 'hybrid'],
        },
      ]);
      expect(options.pubKeyCredParams).toContainEqual({ alg: -7, type: 'public-key' });
    });

    it('stores the passkey and answers it on both surfaces', async () => {
      const client = caller(server);
      const { token, user } = await registerV1(client, uniqueEmail());
      const synced = platformAuthenticator({ synced: true });
      const options = await client.post('/api/auth/passkeys/register/options', undefined, token);
      expect(options.status).toBe(200);
      const res = await client.post(
        '/api/auth/passkeys/register/verify',
        { response: synced.register(options.body), name: 'Laptop' },
        token,
      );
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^pk_/),
        name: 'Laptop',
        created_at: new Date(clock()).toISOString(),
        last_used_at: null,
        backed_up: true,
        transports: ['internal', 'hybrid'],
      });
      const flat = await client.get('/api/auth/passkeys', token);
      expect(flat.body).toEqual({ items: [res.body] });
      const v1 = await client.get('/api/v1/auth/passkeys', token);
      expect(v1.body.data).toEqual([
        {
          id: res.body.id,
          name: 'Laptop',
          createdAt: res.body.created_at,
          lastUsedAt: null,
          backedUp: true,
          transports: ['internal', 'hybrid'],
        },
      ]);
      const [stored] = await server.core.stores.passkeys.listByUser(user.id);
      expect(stored).toMatchObject({
        counter: 0,
        deviceType: 'multiDevice',
        backedUp: true,
        credentialId: Buffer.from(synced.credentials[0]!.id).toString('base64url'),
      });
      expect(stored!.publicKey.length).toBeGreaterThan(80);
    });

    it('refuses an attestation from another origin or for another RP ID, and a reused challenge', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      const authenticator = platformAuthenticator();
      for (const overrides of [{ origin: 'https://evil.example.net' }, { rpId: 'evil.example.net' }]) {
        const options = (await client.post('/api/v1/auth/passkeys/register/options', undefined, token)).body.data;
        const res = await client.post(
          '/api/v1/auth/passkeys/register/verify',
          { response: authenticator.register(options, overrides) },
          token,
        );
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('PASSKEY_REGISTRATION_FAILED');
      }
      const options = (await client.post('/api/v1/auth/passkeys/register/options', undefined, token)).body.data;
      const first = await client.post(
        '/api/v1/auth/passkeys/register/verify',
        { response: authenticator.register(options) },
        token,
      );
      expect(first.status).toBe(201);
      const again = await client.post(
        '/api/v1/auth/passkeys/register/verify',
        { response: authenticator.register(options) },
        token,
      );
      expect(again.status).toBe(400);
      expect(again.body.error.code).toBe('INVALID_PASSKEY_CHALLENGE');
      expect((await client.get('/api/v1/auth/passkeys', token)).body.data).toHaveLength(1);
    });

    it("refuses a challenge issued to another user's session", async () => {
      const client = caller(server);
      const alice = await registerV1(client, uniqueEmail());
      const bob = await registerV1(client, uniqueEmail());
      const options = (await client.post('/api/v1/auth/passkeys/register/options', undefined, alice.token)).body.data;
      const res = await client.post(
        '/api/v1/auth/passkeys/register/verify',
        { response: platformAuthenticator().register(options) },
        bob.token,
      );
      expect(res.body.error.code).toBe('INVALID_PASSKEY_CHALLENGE');
    });

    it('needs a recent session', async () => {
      const client = caller(server);
      const { token } = await registerV1(client, uniqueEmail());
      clock.advance(PAST_RECENT_MS);
      const res = await client.post('/api/v1/auth/passkeys/register/options', undefined, token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('RECENT_LOGIN_REQUIRED');
    });
  });

  describe('login', () => {
    it('signs in with a discoverable passkey and answers exactly the login body, skipping TOTP', async () => {
      const client = caller(server);
      const { email, token, authenticator, user } = await userWithPasskey(client);
      await enrolTwoFactor(client, token, clock);
      const { options } = await loginOptions(client);
      expect(options.allowCredentials).toEqual([]);
      expect(options.userVerification).toBe('required');
      expect(options.rpId).toBe(RP_ID);
      const res = await passkeyLogin(client, authenticator);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        data: {
          user: { id: user.id, email, role: 'USER', plan: 'STARTER' },
          token: expect.any(String),
          refreshToken: expect.any(String),
        },
      });
      expect((await client.get('/api/v1/auth/me', res.body.data.token)).status).toBe(200);
      const [listed] = (await client.get('/api/v1/auth/passkeys', res.body.data.token)).body.data;
      expect(listed.lastUsedAt).toBe(new Date(clock()).toISOString());
      expect(await auditTypes(user.id)).toContain('passkey_used');
    });

    it('puts the refresh token in the cookie in cookie mode', async () => {
      const client = caller(server);
      const { authenticator } = await userWithPasskey(client);
      const { options, challengeToken } = await loginOptions(client);
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/passkeys/login/verify',
        remoteAddress: client.ip,
        headers: { 'x-refresh-token-mode': 'cookie' },
        payload: { challengeToken, response: authenticator.authenticate(options) },
      });
      expect(res.statusCode).toBe(200);
      const body = JSON.parse(res.body);
      expect(body.data.refreshToken).toBeUndefined();
      expect(String(res.headers['set-cookie'])).toMatch(/latchkey_refresh=[^;]+;.*HttpOnly/);
    });

    it('signs in on the flat surface with the token pair, from either allowed origin', async () => {
      const client = caller(server);
      const { authenticator } = await userWithPasskey(client);
      const options = await client.post('/api/auth/passkeys/login/options', {});
      const { challenge_token, ...request } = options.body;
      const res = await client.post('/api/auth/passkeys/login/verify', {
        challenge_token,
        response: authenticator.authenticate(request, { origin: OTHER_ORIGIN }),
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 900,
      });
    });

    it('offers the account its passkeys for an e-mail, and an unknown address an answer of the same shape, stable', async () => {
      const client = caller(server);
      const { email, authenticator } = await userWithPasskey(client);
      const known = await loginOptions(client, email);
      expect(known.options.allowCredentials).toEqual([
        {
          id: Buffer.from(authenticator.credentials[0]!.id).toString('base64url'),
          type: 'public-key',
          transports: ['internal', 'hybrid'],
        },
      ]);
      const stranger = uniqueEmail('nobody');
      const unknown = await loginOptions(client, stranger);
      const again = await loginOptions(client, stranger);
      expect(Object.keys(unknown.options).sort()).toEqual(Object.keys(known.options).sort());
      expect(unknown.options.allowCredentials).toHaveLength(1);
      expect(unknown.options.allowCredentials[0]).toEqual({
        id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        type: 'public-key',
        transports: ['hybrid', 'internal'],
      });
      expect(again.options.allowCredentials).toEqual(unknown.options.allowCredentials);
      expect(unknown.challengeToken).not.toBe(again.challengeToken);

      const res = await client.post('/api/v1/auth/passkeys/login/verify', {
        challengeToken: known.challengeToken,
        response: authenticator.authenticate(known.options),
      });
      expect(res.status).toBe(200);
    });

    it("refuses another user's passkey for an e-mail-bound login", async () => {
      const client = caller(server);
      const alice = await userWithPasskey(client);
      const bob = await userWithPasskey(client);
      const { options, challengeToken } = await loginOptions(client, alice.email);
      const res = await client.post('/api/v1/auth/passkeys/login/verify', {
        challengeToken,
        response: bob.authenticator.authenticate({ ...options, allowCredentials: [] }),
      });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('INVALID_PASSKEY');
    });

    it('refuses a wrong origin, a wrong RP ID, a missing user verification and a signature over another challenge', async () => {
      const client = caller(server);
      const { authenticator } = await userWithPasskey(client);
      for (const overrides of [
        { origin: 'https://auth.example.com.evil.net' },
        { rpId: 'auth.example.com' },
        { userVerified: false },
        { challenge: Buffer.from('another challenge, thirty-two b').toString('base64url') },
      ]) {
        const res = await passkeyLogin(client, authenticator, overrides);
        expect(res.status, JSON.stringify(overrides)).toBe(401);
        expect(res.body.error.code).toBe('INVALID_PASSKEY');
      }
      expect((await passkeyLogin(client, authenticator)).status).toBe(200);
    });

    it('refuses a passkey nobody registered', async () => {
      const res = await passkeyLogin(
        caller(server),
        (() => {
          const stray = platformAuthenticator();
          stray.register({ rp: { id: RP_ID }, user: { id: 'dXNlcg' }, challenge: 'Y2hhbGxlbmdl' });
          return stray;
        })(),
      );
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('INVALID_PASSKEY');
    });

    it('takes each challenge once, for five minutes, and for login only', async () => {
      const client = caller(server);
      const { token, authenticator } = await userWithPasskey(client);
      const { options, challengeToken } = await loginOptions(client);
      const response = authenticator.authenticate(options);
      expect((await client.post('/api/v1/auth/passkeys/login/verify', { challengeToken, response })).status).toBe(200);
      const reused = await client.post('/api/v1/auth/passkeys/login/verify', {
        challengeToken,
        response: authenticator.authenticate(options),
      });
      expect(reused.status).toBe(400);
      expect(reused.body.error.code).toBe('INVALID_PASSKEY_CHALLENGE');

      const late = await loginOptions(client);
      clock.advance(FIVE_MINUTES_MS);
      const expired = await client.post('/api/v1/auth/passkeys/login/verify', {
        challengeToken: late.challengeToken,
        response: authenticator.authenticate(late.options),
      });
      expect(expired.body.error.code).toBe('INVALID_PASSKEY_CHALLENGE');

      // A step-up challenge (named by the challenge itself) does not open a login.
      const { token: fresh } = (
        await client.post('/api/v1/auth/login', {
          email: (await client.get('/api/v1/auth/me', token)).body.data.user.email,
          password: PASSWORD,
        })
      ).body.data;
      const stepUp = (await client.post('/api/v1/auth/reauthenticate/passkey-options', undefined, fresh)).body.data;
      const other = await client.post('/api/v1/auth/passkeys/login/verify', {
        challengeToken: stepUp.challenge,
        response: authenticator.authenticate(stepUp),
      });
      expect(other.body.error.code).toBe('INVALID_PASSKEY_CHALLENGE');
    });

    it('refuses a signature counter that went backwards, as a clone, and audits it', async () => {
      const client = caller(server);
      const { authenticator, user } = await userWithPasskey(client);
      const clone = authenticator.clone();
      expect((await passkeyLogin(client, authenticator)).status).toBe(200);
      expect((await passkeyLogin(client, authenticator)).status).toBe(200);
      const res = await passkeyLogin(client, clone);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('INVALID_PASSKEY');
      const [event] = await server.core.stores.audit
        .listByType('passkey_clone_detected', 50)
        .then((events) => events.filter((e) => e.userId === user.id));
      expect(event?.details).toMatchObject({ storedCounter: 2, presentedCounter: 1 });
      expect((await passkeyLogin(client, authenticator, { counter: 2 })).status).toBe(401);
      expect((await passkeyLogin(client, authenticator, { counter: 3 })).status).toBe(200);
    });

    it('accepts an authenticator without a counter (always 0) every time', async () => {
      const client = caller(server);
      const { authenticator } = await userWithPasskey(client, platformAuthenticator({ counts: false, synced: true }));
      expect((await passkeyLogin(client, authenticator)).status).toBe(200);
      expect((await passkeyLogin(client, authenticator)).status).toBe(200);
    });

    it('refuses a disabled account', async () => {
      const client = caller(server);
      const { authenticator, user } = await userWithPasskey(client);
      await setUserDisabled(server.core, user.id, true);
      const res = await passkeyLogin(client, authenticator);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('ACCOUNT_DISABLED');
    });
  });

  describe('management', () => {
    it('renames, and deletes with a recent session; another user’s passkey is not found', async () => {
      const client = caller(server);
      const { token, passkey, user } = await userWithPasskey(client);
      const stranger = await registerV1(client, uniqueEmail());
      const renamed = await patch(server, client, `/api/v1/auth/passkeys/${passkey.id}`, { name: ' Phone ' }, token);
      expect(renamed.status).toBe(200);
      expect(renamed.body.data.name).toBe('Phone');
      const flatRename = await patch(server, client, `/api/auth/passkeys/${passkey.id}`, { name: 'Work phone' }, token);
      expect(flatRename.body.name).toBe('Work phone');
      expect(
        (await patch(server, client, `/api/v1/auth/passkeys/${passkey.id}`, { name: 'x' }, stranger.token)).body.error
          .code,
      ).toBe('NOT_FOUND');
      expect((await client.delete(`/api/v1/auth/passkeys/${passkey.id}`, stranger.token)).body.error.code).toBe(
        'NOT_FOUND',
      );

      const deleted = await client.delete(`/api/v1/auth/passkeys/${passkey.id}`, token);
      expect(deleted.body).toEqual({ success: true, data: { deleted: true } });
      expect((await client.get('/api/v1/auth/passkeys', token)).body.data).toEqual([]);
      expect(await auditTypes(user.id)).toEqual(
        expect.arrayContaining(['passkey_registered', 'passkey_renamed', 'passkey_deleted']),
      );
    });

    it('deletes on the flat surface with {detail}, and not with an old session', async () => {
      const client = caller(server);
      const { token, passkey } = await userWithPasskey(client);
      const second = await registerPasskey(client, token, platformAuthenticator());
      expect((await client.delete(`/api/auth/passkeys/${passkey.id}`, token)).body).toEqual({
        detail: 'Passkey deleted',
      });
      clock.advance(PAST_RECENT_MS);
      const old = await client.delete(`/api/auth/passkeys/${second.id}`, token);
      expect(old.status).toBe(401);
      expect(old.body.code).toBe('RECENT_LOGIN_REQUIRED');
    });
  });

  describe('the 2FA step', () => {
    async function pendingUser(client: Caller) {
      const account = await userWithPasskey(client);
      const { app } = await enrolTwoFactor(client, account.token, clock);
      const login = await client.post('/api/v1/auth/login', { email: account.email, password: PASSWORD });
      expect(login.body.data.requires2FA).toBe(true);
      return { ...account, app, pendingToken: login.body.data.pendingToken as string };
    }

    it('accepts a passkey in place of the code, user verification or not, once', async () => {
      const client = caller(server);
      const { pendingToken, authenticator, email } = await pendingUser(client);
      const options = await client.post('/api/v1/auth/verify-2fa/passkey-options', { pendingToken });
      expect(options.status).toBe(200);
      expect(options.body.data.userVerification).toBe('preferred');
      expect(options.body.data.allowCredentials).toHaveLength(1);
      const passkeyResponse = authenticator.authenticate(options.body.data, { userVerified: false });
      const res = await client.post('/api/v1/auth/verify-2fa', { pendingToken, passkeyResponse });
      expect(res.status).toBe(200);
      expect(res.body.data.user.email).toBe(email);
      const again = await client.post('/api/v1/auth/verify-2fa', { pendingToken, passkeyResponse });
      expect(again.body.error.code).toBe('INVALID_PENDING_TOKEN');
    });

    it('accepts it on the flat surface, and still takes codes', async () => {
      const client = caller(server);
      const { pendingToken, authenticator, email, app } = await pendingUser(client);
      const options = await client.post('/api/auth/mfa/passkey-options', { mfa_token: pendingToken });
      const res = await client.post('/api/auth/mfa/verify', {
        mfa_token: pendingToken,
        passkey_response: authenticator.authenticate(options.body),
      });
      expect(res.status).toBe(200);
      expect(res.body.token_type).toBe('bearer');
      const second = await client.post('/api/auth/login', { email, password: PASSWORD });
      const byCode = await client.post('/api/auth/mfa/verify', { mfa_token: second.body.mfa_token, code: app.code() });
      expect(byCode.status).toBe(200);
    });

    it('refuses neither or both, a challenge of another pending login, and another user’s passkey', async () => {
      const client = caller(server);
      const first = await pendingUser(client);
      const neither = await client.post('/api/v1/auth/verify-2fa', { pendingToken: first.pendingToken });
      expect(neither.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'code: is required' });
      const options = (
        await client.post('/api/v1/auth/verify-2fa/passkey-options', { pendingToken: first.pendingToken })
      ).body.data;
      const both = await client.post('/api/v1/auth/verify-2fa', {
        pendingToken: first.pendingToken,
        code: first.app.code(),
        passkeyResponse: first.authenticator.authenticate(options),
      });
      expect(both.body.error.code).toBe('VALIDATION_FAILED');

      const second = await client.post('/api/v1/auth/login', { email: first.email, password: PASSWORD });
      const forOther = await client.post('/api/v1/auth/verify-2fa', {
        pendingToken: second.body.data.pendingToken,
        passkeyResponse: first.authenticator.authenticate(options),
      });
      expect(forOther.body.error.code).toBe('INVALID_PASSKEY_CHALLENGE');

      const stranger = await userWithPasskey(client);
      const fresh = (await client.post('/api/v1/auth/verify-2fa/passkey-options', { pendingToken: first.pendingToken }))
        .body.data;
      const theirs = await client.post('/api/v1/auth/verify-2fa', {
        pendingToken: first.pendingToken,
        passkeyResponse: stranger.authenticator.authenticate({ ...fresh, allowCredentials: [] }),
      });
      expect(theirs.status).toBe(401);
      expect(theirs.body.error.code).toBe('INVALID_PASSKEY');
    });

    it('answers NO_PASSKEY to the options call of an account without one', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      const { token } = await registerV1(client, email);
      await enrolTwoFactor(client, token, clock);
      const login = await client.post('/api/v1/auth/login', { email, password: PASSWORD });
      const res = await client.post('/api/v1/auth/verify-2fa/passkey-options', {
        pendingToken: login.body.data.pendingToken,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('NO_PASSKEY');
    });
  });

  describe('step-up', () => {
    it('re-authenticates with a passkey instead of the password and code, on both surfaces', async () => {
      const client = caller(server);
      const { token, authenticator } = await userWithPasskey(client);
      await enrolTwoFactor(client, token, clock);
      clock.advance(PAST_RECENT_MS);
      expect((await client.post('/api/v1/auth/passkeys/register/options', undefined, token)).body.error.code).toBe(
        'RECENT_LOGIN_REQUIRED',
      );

      const options = await client.post('/api/v1/auth/reauthenticate/passkey-options', undefined, token);
      expect(options.body.data.userVerification).toBe('required');
      const res = await client.post(
        '/api/v1/auth/reauthenticate',
        { passkeyResponse: authenticator.authenticate(options.body.data) },
        token,
      );
      expect(res.status).toBe(200);
      const renewed = res.body.data.token;
      expect((await client.post('/api/v1/auth/passkeys/register/options', undefined, renewed)).status).toBe(200);
      expect((await client.get('/api/v1/auth/me', token)).status).toBe(401);

      const flatOptions = await client.post('/api/auth/reauthenticate/passkey-options', undefined, renewed);
      const flat = await client.post(
        '/api/auth/reauthenticate',
        { passkey_response: authenticator.authenticate(flatOptions.body) },
        renewed,
      );
      expect(flat.status).toBe(200);
      expect(flat.body.access_token).toEqual(expect.any(String));
    });

    it('refuses a passkey without user verification, or another user’s, and still needs the password otherwise', async () => {
      const client = caller(server);
      const { token, authenticator } = await userWithPasskey(client);
      const stranger = await userWithPasskey(client);
      const noUv = (await client.post('/api/v1/auth/reauthenticate/passkey-options', undefined, token)).body.data;
      const res = await client.post(
        '/api/v1/auth/reauthenticate',
        { passkeyResponse: authenticator.authenticate(noUv, { userVerified: false }) },
        token,
      );
      expect(res.body.error.code).toBe('INVALID_PASSKEY');
      const options = (await client.post('/api/v1/auth/reauthenticate/passkey-options', undefined, token)).body.data;
      const theirs = await client.post(
        '/api/v1/auth/reauthenticate',
        { passkeyResponse: stranger.authenticator.authenticate({ ...options, allowCredentials: [] }) },
        token,
      );
      expect(theirs.body.error.code).toBe('INVALID_PASSKEY');
      const empty = await client.post('/api/v1/auth/reauthenticate', {}, token);
      expect(empty.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'password: is required' });
      expect((await client.post('/api/v1/auth/reauthenticate', { password: PASSWORD }, token)).status).toBe(200);
    });
  });
});

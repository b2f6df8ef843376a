import { URI, type TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../../../test/helpers/api.js';
import { uniqueEmail } from '../../../test/helpers/server.js';
import { embeddedTarget } from '../../../test/helpers/targets.js';
import { midStepClock, TOTP_STEP_MS } from '../../../test/helpers/totp.js';
import { createClient, LatchkeyError, type SessionEndReason, type Surface } from '../src/index.js';
import { useListeningServer } from './helpers.js';

const clock = midStepClock();

describe.each(['v1', 'flat'] as const)('@latchkey/client on the %s surface', (surface: Surface) => {
  const latchkey = useListeningServer(embeddedTarget, {}, clock);
  const pick = <T>(v1: T, flat: T): T => (surface === 'v1' ? v1 : flat);

  function client(ended: SessionEndReason[] = []) {
    // The client's own answers are typed per surface; these tests read both shapes.
    return createClient<any>({ baseUrl: latchkey.baseUrl, surface, onSessionEnd: (reason) => ended.push(reason) });
  }

  async function signedUp() {
    const email = uniqueEmail(surface);
    const ended: SessionEndReason[] = [];
    const signedIn = client(ended);
    await signedIn.register(email, PASSWORD);
    return { email, client: signedIn, ended };
  }

  it('signs up, logs in, reads the user, and logs out', async () => {
    const { email } = await signedUp();
    const ended: SessionEndReason[] = [];
    const app = client(ended);
    const result = await app.login(email, PASSWORD);
    expect(result.status).toBe('signed-in');
    if (result.status !== 'signed-in') return;
    expect(JSON.stringify(result.answer)).not.toMatch(/refresh/i);
    const me: any = await app.me();
    expect(pick(me.user?.email, me.email)).toBe(email);
    expect(pick(me.user?.twoFactorEnabled, me.two_factor_enabled)).toBe(false);

    await app.logout();
    expect(ended).toEqual(['logout']);
    const after = await app.me().catch((error: unknown) => error);
    expect(after).toBeInstanceOf(LatchkeyError);
    expect(after).toMatchObject({ status: 401, code: 'NO_BEARER_TOKEN' });
    expect(ended).toEqual(['logout']);
  });

  it("raises the server's stable code, status and message as a LatchkeyError", async () => {
    const { email } = await signedUp();
    const refused = await client()
      .login(email, 'not the password')
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LatchkeyError);
    expect(refused).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS', message: 'Invalid email or password' });
    const taken = await client()
      .register(email, PASSWORD)
      .catch((error: unknown) => error);
    expect(taken).toMatchObject({ status: 409, code: 'EMAIL_TAKEN', details: {}, retryAfterSeconds: null });
  });

  it('lists and revokes sessions; revoking its own ends it here', async () => {
    const { email, client: laptop, ended } = await signedUp();
    const phone = client();
    await phone.login(email, PASSWORD);
    const listed: any = await laptop.sessions.list();
    const sessions: any[] = pick(listed, listed.items);
    expect(sessions).toHaveLength(2);
    const other = sessions.find((session) => !session.current);
    const own = sessions.find((session) => session.current);
    await laptop.sessions.revoke(other.id);
    await expect(phone.me()).rejects.toMatchObject({ status: 401, code: 'TOKEN_REVOKED' });
    expect(ended).toEqual([]);
    await laptop.sessions.revoke(own.id);
    expect(ended).toEqual(['logout']);
  });

  it('signs out everywhere', async () => {
    const { email, client: laptop, ended } = await signedUp();
    const phoneEnded: SessionEndReason[] = [];
    const phone = client(phoneEnded);
    await phone.login(email, PASSWORD);
    expect(await laptop.sessions.revokeAll()).toEqual({ revoked: 2 });
    expect(ended).toEqual(['logout']);
    await expect(phone.me()).rejects.toMatchObject({ status: 401 });
    expect(phoneEnded).toEqual(['revoked']);
  });

  it('creates, lists and revokes personal access tokens', async () => {
    const { client: app } = await signedUp();
    const created: any = await app.tokens.create('ci', ['agents:read']);
    expect(created.token).toMatch(/\w{20,}/);
    expect((await app.tokens.list()).map((token: any) => token.id)).toEqual([created.id]);
    expect(await app.tokens.revoke(created.id)).toEqual({ revoked: true });
    expect(await app.tokens.list()).toEqual([]);
  });

  it('generates, reads, replaces and revokes the ingest key', async () => {
    const { client: app } = await signedUp();
    expect(await app.keys.get()).toBeNull();
    const first: any = await app.keys.create();
    expect(first.api_key).toMatch(/_test_/);
    await expect(app.keys.create()).rejects.toMatchObject({ status: 409, code: 'API_KEY_EXISTS' });
    const second: any = await app.keys.create({ replace: true });
    expect((await app.keys.get())?.id).toBe(second.id);
    await app.keys.revoke();
    expect(await app.keys.get()).toBeNull();
  });

  it('turns two-factor on, logs in with the second step, replaces recovery codes, turns it off', async () => {
    const { email, client: app } = await signedUp();
    const setup: any = await app.twoFactor.setup();
    const totp = URI.parse(pick(setup.otpauthUrl, setup.otpauth_url)) as TOTP;
    const code = () => totp.generate({ timestamp: clock() });
    const enabled: any = await app.twoFactor.enable(code());
    expect(pick(enabled.recoveryCodes, enabled.recovery_codes)).toHaveLength(10);
    clock.advance(TOTP_STEP_MS);

    const second = client();
    const step = await second.login(email, PASSWORD);
    expect(step.status).toBe('two-factor');
    if (step.status !== 'two-factor') return;
    await expect(second.verifyTwoFactor(step.pendingToken, '000000')).rejects.toMatchObject({
      status: 401,
      code: 'INVALID_2FA_CODE',
    });
    const verified: any = await second.verifyTwoFactor(step.pendingToken, code());
    expect(pick(verified.user?.email, verified.token_type)).toBe(pick(email, 'bearer'));
    const me: any = await second.me();
    expect(pick(me.user?.twoFactorEnabled, me.two_factor_enabled)).toBe(true);
    clock.advance(TOTP_STEP_MS);

    const codes: any = await second.twoFactor.regenerateRecoveryCodes(code());
    expect(pick(codes.recoveryCodes, codes.recovery_codes)).toHaveLength(10);
    clock.advance(TOTP_STEP_MS);
    expect(await second.twoFactor.disable(code(), PASSWORD)).toEqual({ enabled: false });
  });

  it('changes the password: a new session replaces this one, the others end', async () => {
    const { email, client: app, ended } = await signedUp();
    const other = client();
    await other.login(email, PASSWORD);
    const newPassword = 'another long passphrase here';
    const changed: any = await app.changePassword(
      pick({ currentPassword: PASSWORD, newPassword }, { current_password: PASSWORD, new_password: newPassword }),
    );
    expect(pick(changed.otherSessionsRevoked, changed.other_sessions_revoked)).toBe(1);
    expect(JSON.stringify(changed)).not.toMatch(/refresh/i);
    await app.me();
    await expect(other.me()).rejects.toMatchObject({ status: 401 });
    expect(ended).toEqual([]);
    expect((await client().login(email, newPassword)).status).toBe('signed-in');
  });

  it('calls any route of the document through request()', async () => {
    const { client: app } = await signedUp();
    const answer: any = await app.request(
      'get',
      pick('/api/v1/agents', '/api/voicelogs'),
      pick({ query: { limit: 5 } }, { query: { page: 1, page_size: 5 } }),
    );
    expect(pick(answer, answer.items)).toEqual([]);
    const features: any = await app.request('get', '/api/v1/auth/features', { auth: false });
    expect(typeof features.registrationEnabled).toBe('boolean');
  });
});

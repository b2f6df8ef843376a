import { describe, expect, it } from 'vitest';
import { caller, PASSWORD } from './helpers/api.js';
import { SURFACES } from './helpers/email-surfaces.js';
import { useServer, uniqueEmail } from './helpers/server.js';
import { tokenIn, useSmtp } from './helpers/smtp.js';
import { TARGETS } from './helpers/targets.js';
import { enrolTwoFactor, midStepClock } from './helpers/totp.js';

const NEW_PASSWORD = 'an entirely new passphrase 42';
const OTHER_PASSWORD = 'yet another long passphrase 9';

describe.each(TARGETS)('e-mail links refused on $name', ({ create }) => {
  const clock = midStepClock();
  const mailer = useSmtp({
    MAIL_RATE_LIMIT_PER_IP: '1000',
    MAIL_RATE_LIMIT_PER_ADDRESS: '1000',
    LOGIN_RATE_LIMIT: '1000',
    LOCKOUT_MAX_FAILURES: '3',
    RECENT_LOGIN_MAX_AGE_SECONDS: '300',
  });
  const smtp = { nextMail: (to: string, pattern: RegExp) => mailer.smtp().nextMail(to, pattern) };
  const { server } = useServer(create, mailer.env, clock);

  /** Signs up on v1 and returns the token of the reset link mailed after `forgot`. */
  async function resetTokenFor(email: string) {
    const client = caller(server);
    expect((await client.post('/api/v1/auth/password/forgot', { email })).status).toBe(202);
    return tokenIn(await smtp.nextMail(email, /reset-password#/), 'reset-password');
  }

  describe.each(SURFACES)('on the $name surface', (surface) => {
    const path = (p: string) => `${surface.prefix}${p}`;

    it('refuses a reset link used a second time', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      await surface.register(client, email);
      const token = await resetTokenFor(email);
      expect((await client.post(path('/auth/password/reset'), { token, password: NEW_PASSWORD })).status).toBe(200);
      const again = await client.post(path('/auth/password/reset'), { token, password: OTHER_PASSWORD });
      expect(again.status).toBe(400);
      expect(surface.codeOf(again)).toBe('INVALID_EMAIL_TOKEN');
      expect((await surface.login(client, email, NEW_PASSWORD)).status).toBe(200);
    });

    it('refuses a reset link after its 30 minutes', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      await surface.register(client, email);
      const token = await resetTokenFor(email);
      clock.advance(30 * 60_000 + 1);
      const late = await client.post(path('/auth/password/reset'), { token, password: NEW_PASSWORD });
      expect(surface.codeOf(late)).toBe('INVALID_EMAIL_TOKEN');
    });

    it('refuses a reset link once the password was changed another way', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      const session = await surface.register(client, email);
      const token = await resetTokenFor(email);
      const changed = await client.post(
        '/api/v1/auth/change-password',
        { currentPassword: PASSWORD, newPassword: OTHER_PASSWORD },
        session,
      );
      expect(changed.status).toBe(200);
      const reset = await client.post(path('/auth/password/reset'), { token, password: NEW_PASSWORD });
      expect(surface.codeOf(reset)).toBe('INVALID_EMAIL_TOKEN');
      expect((await surface.login(client, email, OTHER_PASSWORD)).status).toBe(200);
    });

    it('verifies only the account a link was made for, and refuses a link of another kind', async () => {
      const client = caller(server);
      const first = uniqueEmail();
      const second = uniqueEmail();
      await surface.register(client, first);
      const secondSession = await surface.register(client, second);
      const firstLink = tokenIn(await smtp.nextMail(first, /verify-email#/), 'verify-email');
      const resetToken = await resetTokenFor(second);
      const wrongKind = await client.post(path('/auth/email/verify'), { token: resetToken });
      expect(surface.codeOf(wrongKind)).toBe('INVALID_EMAIL_TOKEN');
      expect(surface.userOf(await client.post(path('/auth/email/verify'), { token: firstLink })).email).toBe(first);
      expect((await surface.me(client, secondSession)).verified).toBe(false);
      const forged = await client.post(path('/auth/email/verify'), { token: `${firstLink.slice(0, -2)}AA` });
      expect(surface.codeOf(forged)).toBe('INVALID_EMAIL_TOKEN');
    });

    it('refuses an address-change link once another change was made', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      const [first, second] = [uniqueEmail('first'), uniqueEmail('second')];
      const session = await surface.register(client, email);
      await client.post(path('/auth/email/change'), surface.changeBody(first, PASSWORD), session);
      await client.post(path('/auth/email/change'), surface.changeBody(second, PASSWORD), session);
      const firstToken = tokenIn(await smtp.nextMail(first, /confirm-email#/), 'confirm-email');
      const secondToken = tokenIn(await smtp.nextMail(second, /confirm-email#/), 'confirm-email');
      expect((await client.post(path('/auth/email/confirm'), { token: secondToken })).status).toBe(200);
      const stale = await client.post(path('/auth/email/confirm'), { token: firstToken });
      expect(surface.codeOf(stale)).toBe('INVALID_EMAIL_TOKEN');
      expect((await surface.login(client, second, PASSWORD)).status).toBe(200);
    });

    it('asks a fresh password before an address change, and a recent login', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      const session = await surface.register(client, email);
      const wrong = await client.post(path('/auth/email/change'), surface.changeBody(uniqueEmail(), 'not it'), session);
      expect(wrong.status).toBe(401);
      clock.advance(6 * 60_000);
      const stale = await client.post(path('/auth/email/change'), surface.changeBody(uniqueEmail(), PASSWORD), session);
      expect(surface.codeOf(stale)).toBe('RECENT_LOGIN_REQUIRED');
    });
  });

  it('needs a second-factor code for a reset when 2FA is on, and ends a lockout', async () => {
    const client = caller(server);
    const email = uniqueEmail();
    const { token: session } = (await client.post('/api/v1/auth/register', { email, password: PASSWORD })).body.data;
    const { app } = await enrolTwoFactor(client, session, clock);
    for (let i = 0; i < 3; i++) await client.post('/api/v1/auth/login', { email, password: 'wrong password' });
    expect((await client.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(423);
    const token = await resetTokenFor(email);
    const withoutCode = await client.post('/api/v1/auth/password/reset', { token, password: NEW_PASSWORD });
    expect(withoutCode.body.error.code).toBe('MFA_CODE_REQUIRED');
    const reset = await client.post('/api/v1/auth/password/reset', { token, password: NEW_PASSWORD, code: app.code() });
    expect(reset.status).toBe(200);
    const login = await client.post('/api/v1/auth/login', { email, password: NEW_PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.data.requires2FA).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { caller, PASSWORD } from './helpers/api.js';
import { SURFACES } from './helpers/email-surfaces.js';
import { useServer, uniqueEmail } from './helpers/server.js';
import { tokenIn, useSmtp } from './helpers/smtp.js';
import { TARGETS } from './helpers/targets.js';

const NEW_PASSWORD = 'an entirely new passphrase 42';

describe.each(TARGETS)('the e-mail flows on $name', ({ create }) => {
  const mailer = useSmtp({
    MAIL_RATE_LIMIT_PER_IP: '1000',
    LOGIN_RATE_LIMIT: '1000',
  });
  const smtp = { nextMail: (to: string, pattern: RegExp) => mailer.smtp().nextMail(to, pattern) };
  const { server } = useServer(create, mailer.env);

  describe.each(SURFACES)('on the $name surface', (surface) => {
    const path = (p: string) => `${surface.prefix}${p}`;

    it('mails a verification link at sign-up that marks the address verified', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      const token = await surface.register(client, email);
      expect((await surface.me(client, token)).verified).toBe(false);
      const mail = await smtp.nextMail(email, /verify-email#/);
      expect(mail.html).toContain('/verify-email#token=');
      const verified = await client.post(path('/auth/email/verify'), { token: tokenIn(mail, 'verify-email') });
      expect(verified.status).toBe(200);
      expect(surface.userOf(verified)).toEqual({ email, verified: true });
      expect((await surface.me(client, token)).verified).toBe(true);
    });

    it('resets a forgotten password from the mailed link: sessions end, the new password works', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      const token = await surface.register(client, email);
      const forgot = await client.post(path('/auth/password/forgot'), { email });
      expect(forgot.status).toBe(202);
      const mail = await smtp.nextMail(email, /reset-password#/);
      expect(mail.subject).toMatch(/reset/i);
      const reset = await client.post(path('/auth/password/reset'), {
        token: tokenIn(mail, 'reset-password'),
        password: NEW_PASSWORD,
      });
      expect(reset.status).toBe(200);
      expect((await client.get(path('/auth/me'), token)).status).toBe(401);
      expect((await surface.login(client, email, PASSWORD)).status).toBe(401);
      expect((await surface.login(client, email, NEW_PASSWORD)).status).toBe(200);
      const notice = await smtp.nextMail(email, /password was changed/);
      expect(notice.text).not.toMatch(/#token=/);
    });

    it('changes the address only when the link mailed to the new one is used, and tells the old one', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      const newEmail = uniqueEmail('new');
      const token = await surface.register(client, email);
      const change = await client.post(path('/auth/email/change'), surface.changeBody(newEmail, PASSWORD), token);
      expect(change.status).toBe(202);
      const confirmation = await smtp.nextMail(newEmail, /confirm-email#/);
      const notice = await smtp.nextMail(email, /change of your .* address was requested/);
      expect(notice.text).toContain(newEmail);
      expect((await surface.me(client, token)).email).toBe(email);
      const confirmed = await client.post(path('/auth/email/confirm'), {
        token: tokenIn(confirmation, 'confirm-email'),
      });
      expect(confirmed.status).toBe(200);
      expect(surface.userOf(confirmed)).toEqual({ email: newEmail, verified: true });
      expect((await surface.login(client, newEmail, PASSWORD)).status).toBe(200);
      expect((await smtp.nextMail(email, /address was changed/)).text).toContain(newEmail);
    });

    it('resends a verification link to a signed-in caller', async () => {
      const client = caller(server);
      const email = uniqueEmail();
      const token = await surface.register(client, email);
      await smtp.nextMail(email, /verify-email#/);
      expect((await client.post(path('/auth/email/resend'), undefined, token)).status).toBe(202);
      const second = await smtp.nextMail(email, /verify-email#/);
      const verified = await client.post(path('/auth/email/verify'), { token: tokenIn(second, 'verify-email') });
      expect(surface.userOf(verified).verified).toBe(true);
    });
  });
});

import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { caller, PASSWORD } from './helpers/api.js';
import { useServer, useServers, uniqueEmail, uniqueIp } from './helpers/server.js';
import { tokenIn, useSmtp } from './helpers/smtp.js';
import { TARGETS } from './helpers/targets.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('forgot-password says nothing about the account', () => {
  const mail = useSmtp({ MAIL_RATE_LIMIT_PER_IP: '100000', MAIL_RATE_LIMIT_PER_ADDRESS: '100000' });
  const { server } = useServer(TARGETS[0].create, mail.env);

  it('answers a known and an unknown address alike, in the same time within noise', async () => {
    const client = caller(server);
    const known = uniqueEmail();
    await client.post('/api/v1/auth/register', { email: known, password: PASSWORD });
    const unknown = uniqueEmail('nobody');
    const first = await client.post('/api/v1/auth/password/forgot', { email: known });
    const second = await client.post('/api/v1/auth/password/forgot', { email: unknown });
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body).toEqual(first.body);
    const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
    for (let i = 0; i < 60; i++) {
      for (const which of i % 2 === 0 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const)) {
        // Each answer is timed alone: the mail prepared after the last one must not slow it.
        await server.core.mail.idle();
        const start = performance.now();
        const res = await client.post('/api/v1/auth/password/forgot', { email: which === 'known' ? known : unknown });
        times[which].push(performance.now() - start);
        expect(res.status).toBe(202);
      }
    }
    const [k, u] = [median(times.known), median(times.unknown)];
    // Generous: a shared, noisy machine. The answer does no account-dependent work at all.
    expect(Math.abs(k - u), `medians: known ${k} ms, unknown ${u} ms`).toBeLessThan(Math.max(3, 0.5 * Math.min(k, u)));
    expect(mail.smtp().mailsTo(unknown)).toEqual([]);
    expect(mail.smtp().mailsTo(known).length).toBeGreaterThan(60);
  });
});

describe.each(TARGETS)('mail limits, shared by two instances on $name', ({ create }) => {
  const mail = useSmtp({ MAIL_RATE_LIMIT_PER_ADDRESS: '3', MAIL_RATE_LIMIT_PER_IP: '5' });
  const { servers } = useServers(create, [mail.env], [mail.env]);

  it('sends at most 3 mails an hour to one address, answering every request alike', async () => {
    const [a, b] = servers;
    const email = uniqueEmail();
    const answers = [];
    for (let i = 0; i < 6; i++) {
      const res = await caller(i % 2 === 0 ? a : b).post('/api/auth/password/forgot', { email: email.toUpperCase() });
      answers.push([res.status, res.body]);
    }
    expect(new Set(answers.map((x) => JSON.stringify(x))).size).toBe(1);
    await Promise.all([a.core.mail.idle(), b.core.mail.idle()]);
    // An unknown address spends its budget too, so 0 mails here, and a known one gets 3.
    expect(mail.smtp().mailsTo(email)).toEqual([]);
    const known = uniqueEmail();
    await caller(a).post('/api/v1/auth/register', { email: known, password: PASSWORD });
    await mail.smtp().nextMail(known, /verify-email#/);
    for (let i = 0; i < 4; i++)
      expect((await caller(i % 2 === 0 ? b : a).post('/api/v1/auth/password/forgot', { email: known })).status).toBe(
        202,
      );
    await Promise.all([a.core.mail.idle(), b.core.mail.idle()]);
    expect(mail.smtp().mailsTo(known)).toHaveLength(3);
  });

  it('limits the mails one client IP causes across addresses', async () => {
    const [a, b] = servers;
    const ip = uniqueIp();
    const emails = Array.from({ length: 7 }, () => uniqueEmail());
    for (const [i, email] of emails.entries())
      await caller(i % 2 === 0 ? a : b, uniqueIp()).post('/api/v1/auth/register', { email, password: PASSWORD });
    await Promise.all([a.core.mail.idle(), b.core.mail.idle()]);
    const before = mail.smtp().received.length;
    for (const [i, email] of emails.entries())
      await caller(i % 2 === 0 ? a : b, ip).post('/api/v1/auth/password/forgot', { email });
    await Promise.all([a.core.mail.idle(), b.core.mail.idle()]);
    expect(mail.smtp().received.length - before).toBe(5);
  });

  it('lets a link mailed by one instance be used on the other', async () => {
    const [a, b] = servers;
    const email = uniqueEmail();
    await caller(a).post('/api/v1/auth/register', { email, password: PASSWORD });
    const token = tokenIn(await mail.smtp().nextMail(email, /verify-email#/), 'verify-email');
    const verified = await caller(b).post('/api/auth/email/verify', { token });
    expect(verified.body.user.email_verified).toBe(true);
    expect((await caller(a).post('/api/v1/auth/email/verify', { token })).body.error.code).toBe('INVALID_EMAIL_TOKEN');
  });
});

describe.each(TARGETS)('sign-up with e-mail on, on $name', ({ create }) => {
  const mail = useSmtp();
  const { server } = useServer(create, mail.env);

  it('keeps 409 EMAIL_TAKEN for a taken address and mails the owner a notice with a reset link', async () => {
    const client = caller(server);
    const email = uniqueEmail();
    expect((await client.post('/api/v1/auth/register', { email, password: PASSWORD })).status).toBe(201);
    const again = await client.post('/api/auth/register', { email, password: 'another good passphrase' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('EMAIL_TAKEN');
    const notice = await mail.smtp().nextMail(email, /tried to (sign up|create)/);
    expect(notice.text).toContain('/login');
    const reset = await client.post('/api/v1/auth/password/reset', {
      token: tokenIn(notice, 'reset-password'),
      password: 'a new passphrase for the owner',
    });
    expect(reset.status).toBe(200);
  });
});

describe.each(TARGETS)('EMAIL_VERIFICATION=required, on $name', ({ create }) => {
  const mail = useSmtp({ EMAIL_VERIFICATION: 'required', MAIL_RATE_LIMIT_PER_IP: '1000' });
  const { server } = useServer(create, mail.env);

  it('answers a new and a taken address with the same 201 body shape, no tokens, in like time', async () => {
    const client = caller(server);
    const taken = uniqueEmail();
    const first = await client.post('/api/v1/auth/register', { email: taken, password: PASSWORD });
    expect(first.status).toBe(201);
    expect(first.body.data).not.toHaveProperty('token');
    expect(first.body.data.user.emailVerified).toBe(false);
    const shape = (body: any) => ({
      ...body,
      data: { ...body.data, user: { ...body.data.user, id: 'x', email: 'x' } },
    });
    const times: Record<'fresh' | 'taken', number[]> = { fresh: [], taken: [] };
    for (let i = 0; i < 8; i++) {
      for (const which of ['fresh', 'taken'] as const) {
        await server.core.mail.idle();
        const start = performance.now();
        const res = await client.post('/api/v1/auth/register', {
          email: which === 'fresh' ? uniqueEmail() : taken,
          password: PASSWORD,
        });
        times[which].push(performance.now() - start);
        expect(res.status).toBe(201);
        expect(shape(res.body)).toEqual(shape(first.body));
      }
    }
    const [f, t] = [median(times.fresh), median(times.taken)];
    expect(Math.abs(f - t), `medians: new ${f} ms, taken ${t} ms`).toBeLessThan(Math.max(25, 0.6 * Math.max(f, t)));
    const flat = await client.post('/api/auth/register', { email: taken, password: PASSWORD });
    expect(flat.status).toBe(201);
    expect(Object.keys(flat.body).sort()).toEqual(['email_verification_required', 'user']);
    expect(flat.body.user.email_verified).toBe(false);
  });

  it('refuses login with 403 EMAIL_NOT_VERIFIED after the password check, until the link is used', async () => {
    const client = caller(server);
    const email = uniqueEmail();
    await client.post('/api/v1/auth/register', { email, password: PASSWORD });
    expect((await client.post('/api/v1/auth/login', { email, password: 'not the password' })).status).toBe(401);
    const refused = await client.post('/api/auth/login', { email, password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('EMAIL_NOT_VERIFIED');
    expect(refused.body).not.toHaveProperty('access_token');
    // Without a session, the resend takes the address.
    expect((await client.post('/api/v1/auth/email/resend', { email })).status).toBe(202);
    await mail.smtp().nextMail(email, /verify-email#/);
    const resent = await mail.smtp().nextMail(email, /verify-email#/);
    await client.post('/api/v1/auth/email/verify', { token: tokenIn(resent, 'verify-email') });
    expect((await client.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });
});

describe('EMAIL=off', () => {
  const { server } = useServer(TARGETS[0].create, { EMAIL: 'off', EMAIL_VERIFICATION: 'required' });

  it('answers the e-mail routes 404 EMAIL_DISABLED and keeps sign-up and login as they were', async () => {
    const client = caller(server);
    for (const path of ['/api/v1/auth/password/forgot', '/api/auth/email/verify', '/api/v1/auth/email/resend']) {
      const res = await client.post(path, { email: uniqueEmail(), token: 'x' });
      expect(res.status).toBe(404);
      expect(res.body.error?.code ?? res.body.code).toBe('EMAIL_DISABLED');
    }
    const email = uniqueEmail();
    expect((await client.post('/api/v1/auth/register', { email, password: PASSWORD })).status).toBe(201);
    expect((await client.post('/api/v1/auth/register', { email, password: PASSWORD })).body.error.code).toBe(
      'EMAIL_TAKEN',
    );
    expect((await client.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
    expect((await client.get('/api/v1/auth/features')).body.data).toMatchObject({
      email: false,
      emailVerification: 'off',
    });
  });
});

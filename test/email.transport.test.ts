import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { caller, PASSWORD } from './helpers/api.js';
import { captureLog } from './helpers/log-capture.js';
import { useServer, uniqueEmail } from './helpers/server.js';
import { TestSmtpServer, tokenIn } from './helpers/smtp.js';
import { embeddedTarget, type StorageTarget } from './helpers/targets.js';

const TOKEN_IN_TEXT = /#token=([A-Za-z0-9_-]+)/;

describe('the outbox mode (no SMTP_URL)', () => {
  const { lines, stream } = captureLog();
  let target: StorageTarget;
  const { server } = useServer(
    () => {
      target = embeddedTarget();
      return target;
    },
    {},
    undefined,
    createLogger('info', stream),
  );

  it('writes each mail to DATA_DIR/outbox as a 0600 .eml and logs its link at info', async () => {
    const client = caller(server);
    const email = uniqueEmail();
    expect((await client.post('/api/v1/auth/register', { email, password: PASSWORD })).status).toBe(201);
    await server.core.mail.idle();
    const dir = join(target.env.DATA_DIR!, 'outbox');
    const [file] = readdirSync(dir);
    expect(file).toMatch(/\.eml$/);
    expect(statSync(join(dir, file!)).mode & 0o777).toBe(0o600);
    const eml = readFileSync(join(dir, file!), 'utf8');
    expect(eml).toMatch(/^Subject: Verify your e-mail address/m);
    expect(eml).toContain('text/html');
    const parsed = await simpleParser(eml);
    const token = TOKEN_IN_TEXT.exec(parsed.text ?? '')![1]!;
    expect(parsed.html).toContain(`#token=${token}`);
    const logged = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'mail written to outbox');
    expect(logged.level).toBe(30);
    expect(logged.link).toBe(`${server.config.publicUrl}/verify-email#token=${token}`);
    const verified = await client.post('/api/v1/auth/email/verify', { token });
    expect(verified.body.data.user.emailVerified).toBe(true);
  });
});

describe('SMTP down, then back', () => {
  const { lines, stream } = captureLog();
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await TestSmtpServer.notStarted();
  });
  afterAll(async () => {
    await smtp.stop();
  });
  const { server } = useServer(
    async () => embeddedTarget(),
    {
      get SMTP_URL() {
        return smtp.url;
      },
    } as Record<string, string>,
    undefined,
    createLogger('trace', stream),
  );

  it('still answers, retries the mail until the server is back, and logs no token or link', async () => {
    const client = caller(server);
    const email = uniqueEmail();
    const started = Date.now();
    expect((await client.post('/api/v1/auth/register', { email, password: PASSWORD })).status).toBe(201);
    expect((await client.post('/api/auth/password/forgot', { email })).status).toBe(202);
    expect(Date.now() - started).toBeLessThan(5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(server.core.mail.stats().retried).toBeGreaterThan(0);
    await smtp.start();
    const reset = await smtp.nextMail(email, /reset-password#/);
    const verify = await smtp.nextMail(email, /verify-email#/);
    await server.core.mail.idle();
    expect(server.core.mail.stats()).toMatchObject({ pending: 0, sent: 2, failed: 0 });
    const secrets = [tokenIn(reset, 'reset-password'), tokenIn(verify, 'verify-email')];
    const log = lines.join('');
    expect(log).toContain('mail not sent: will retry');
    for (const secret of secrets) expect(log).not.toContain(secret);
    expect(log).not.toContain('#token=');
    expect(log).not.toContain('secret@');
  });

  it('gives up on a permanent refusal at once, and counts it', async () => {
    smtp.behaviour = { refuse: 550 };
    const failedBefore = server.core.mail.stats().failed;
    await caller(server).post('/api/v1/auth/register', { email: uniqueEmail(), password: PASSWORD });
    await server.core.mail.idle();
    expect(server.core.mail.stats().failed).toBe(failedBefore + 1);
    const givenUp = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'mail not sent: giving up');
    expect(givenUp).toMatchObject({ responseCode: 550, attempts: 1, template: 'verify-email' });
    expect(lines.join('')).not.toContain('#token=');
    smtp.behaviour = 'accept';
  });
});

describe('a full mail queue', () => {
  const { server } = useServer(async () => embeddedTarget(), { MAIL_QUEUE_SIZE: '2', SMTP_URL: 'smtp://127.0.0.1:9' });

  it('drops and counts what does not fit, and the requests still answer', async () => {
    const client = caller(server);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => client.post('/api/v1/auth/password/forgot', { email: uniqueEmail() })),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(server.core.mail.stats().dropped).toBe(3);
  });
});

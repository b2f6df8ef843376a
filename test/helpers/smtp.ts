import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './ports.js';

/** A mail the test SMTP server received, parsed. */
export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  parsed: ParsedMail;
}

/** How the server answers a message: accept it, or refuse it with an SMTP reply code. */
export type SmtpBehaviour = 'accept' | { refuse: 451 | 550 };

const WAIT_MS = 10_000;

/**
 * A real SMTP server on loopback (smtp-server, no TLS: STARTTLS is not offered), keeping what it
 * receives. `url` is its SMTP_URL; `behaviour` can be switched while it runs; `stop` and `start`
 * take it down and bring it back on the same port.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  behaviour: SmtpBehaviour = 'accept';
  private server: SMTPServer | undefined;
  private waiters: (() => void)[] = [];
  private readonly taken = new Set<ReceivedMail>();

  private constructor(readonly port: number) {}

  static async start(): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer(await freePort());
    await smtp.start();
    return smtp;
  }

  /** An SMTP_URL for a port where nothing listens yet; `start` brings the server up there. */
  static async notStarted(): Promise<TestSmtpServer> {
    return new TestSmtpServer(await freePort());
  }

  get url(): string {
    return `smtp://tester:secret@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      onAuth: (_auth, _session, callback) => callback(null, { user: 'tester' }),
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (this.behaviour !== 'accept') {
            const error = Object.assign(new Error('refused by the test'), { responseCode: this.behaviour.refuse });
            return callback(error);
          }
          void simpleParser(Buffer.concat(chunks)).then((parsed) => {
            this.received.push({
              to: session.envelope.rcptTo.map((r) => r.address).join(','),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              parsed,
            });
            for (const wake of this.waiters.splice(0)) wake();
            callback();
          }, callback);
        });
      },
      logger: false,
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The mails received for `to` so far. */
  mailsTo(to: string): ReceivedMail[] {
    return this.received.filter((m) => m.to.toLowerCase() === to.toLowerCase());
  }

  /**
   * Waits (bounded) for the first mail to `to` whose text matches `pattern` and that no earlier
   * call returned; mails may arrive in any order, since the queue sends several at once.
   */
  async nextMail(to: string, pattern: RegExp): Promise<ReceivedMail> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = this.mailsTo(to).find((m) => !this.taken.has(m) && pattern.test(`${m.subject}\n${m.text}`));
      if (found) {
        this.taken.add(found);
        return found;
      }
      if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${pattern} within ${WAIT_MS} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
}

/** The token of the `<page>#token=...` link in a mail's text. */
export function tokenIn(mail: { text: string }, page: string): string {
  const match = new RegExp(`/${page}#token=([A-Za-z0-9_-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${page} link in: ${mail.text}`);
  return match[1]!;
}

/**
 * A real SMTP server for the describe block, and a server environment that sends to it (with the
 * login and per-IP mail limits raised, so tests do not meet them by accident).
 */
export function useSmtp(env: Record<string, string> = {}) {
  const holder: { smtp?: TestSmtpServer } = {};
  beforeAll(async () => {
    holder.smtp = await TestSmtpServer.start();
  });
  afterAll(async () => {
    await holder.smtp?.stop();
  });
  const serverEnv = {
    get SMTP_URL() {
      return holder.smtp!.url;
    },
    LOGIN_RATE_LIMIT: '1000',
    MAIL_RATE_LIMIT_PER_IP: '1000',
    ...env,
  } as Record<string, string>;
  return { smtp: () => holder.smtp!, env: serverEnv };
}

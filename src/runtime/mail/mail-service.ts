import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../config/index.js';
import type { Clock, Mail, Mailer } from '../../core/index.js';
import { loadTemplates, renderMail, type RenderedMail } from './templates.js';
import { writeToOutbox } from './outbox.js';

/** Where the mail service reports; a pino logger fits. Fields never hold a token, except `link` in the outbox mode. */
export interface MailLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Counts since start: what an operator watches for mail that never left. */
export interface MailStats {
  /** Waiting, being prepared or sent, or waiting for a retry. */
  pending: number;
  sent: number;
  retried: number;
  /** Given up: a permanent SMTP failure, the tries used up, or the preparation failed. */
  failed: number;
  /** Not queued: the queue was full, or the service closing. */
  dropped: number;
}

const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 300_000;
const PARALLEL_SENDS = 2;
const CLOSE_WAIT_MS = 5_000;

interface Job {
  prepare: () => Promise<Mail | null>;
  rendered?: RenderedMail;
  template?: string;
  attempts: number;
}

/** An SMTP failure worth retrying: a 4xx reply, or none at all (connection, timeout, DNS). */
function isTemporary(error: unknown): boolean {
  const code = (error as { responseCode?: unknown }).responseCode;
  return typeof code !== 'number' || (code >= 400 && code < 500);
}

/** What a failure's log line may say: codes only; a server's reply text may quote the message. */
function failureFields(error: unknown): object {
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  return { code, responseCode };
}

/**
 * The mail transport behind core's Mailer port: a bounded in-memory queue, sent over SMTP_URL with
 * retries and backoff for temporary failures, or written to DATA_DIR/outbox without SMTP_URL.
 * Nothing here blocks a request: `send` only queues.
 */
export class MailService implements Mailer {
  private readonly queue: Job[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = 0;
  private closing = false;
  private closed = false;
  private readonly counts = { sent: 0, retried: 0, failed: 0, dropped: 0 };
  private readonly transport: Transporter;
  private readonly templates;
  private idleWaiters: (() => void)[] = [];
  private pendingJobs = 0;

  constructor(
    private readonly config: Readonly<Config>,
    private readonly log: MailLog,
    private readonly clock: Clock,
  ) {
    this.templates = loadTemplates(config.mailTemplatesDir);
    this.transport = config.smtpUrl
      ? nodemailer.createTransport({
          url: config.smtpUrl,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        })
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  /** smtp or outbox. */
  get mode(): 'smtp' | 'outbox' {
    return this.config.smtpUrl ? 'smtp' : 'outbox';
  }

  send(prepare: () => Promise<Mail | null>): void {
    if (this.closing || this.pendingJobs >= this.config.mailQueueSize) {
      this.counts.dropped += 1;
      this.log.warn({ dropped: this.counts.dropped, queueSize: this.config.mailQueueSize }, 'mail dropped: queue full');
      return;
    }
    this.pendingJobs += 1;
    this.queue.push({ prepare, attempts: 0 });
    // Two turns on: the response that queued it is written at the end of this turn (http/
    // write-coalescing.ts), and the preparation's work (synchronous on SQLite) must not delay it.
    setImmediate(() => setImmediate(() => this.pump()));
  }

  stats(): MailStats {
    return { pending: this.pendingJobs, ...this.counts };
  }

  /** Resolves once nothing is waiting, being sent or waiting for a retry. */
  idle(): Promise<void> {
    if (this.pendingJobs === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops taking mail and drops the retries still waiting; what is queued or being sent gets up to
   * CLOSE_WAIT_MS (a CLI command's notice is queued just before it closes).
   */
  async close(): Promise<void> {
    this.closing = true;
    this.dropWaiting(this.timers.size, () => {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
    });
    this.pump();
    if (this.pendingJobs > 0)
      await Promise.race([this.idle(), new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
    this.closed = true;
    this.dropWaiting(this.queue.length, () => {
      this.queue.length = 0;
    });
    this.transport.close();
  }

  private dropWaiting(count: number, drop: () => void): void {
    drop();
    if (count === 0) return;
    this.pendingJobs -= count;
    this.counts.dropped += count;
    this.log.warn({ dropped: count }, 'mail dropped at shutdown: still waiting to be sent');
    this.wakeIfIdle();
  }

  private pump(): void {
    while (!this.closed && this.running < PARALLEL_SENDS && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running += 1;
      void this.run(job).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private finish(): void {
    this.pendingJobs -= 1;
    this.wakeIfIdle();
  }

  private wakeIfIdle(): void {
    if (this.pendingJobs > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async run(job: Job): Promise<void> {
    if (!job.rendered) {
      let mail: Mail | null;
      try {
        mail = await job.prepare();
      } catch (error) {
        this.counts.failed += 1;
        this.log.error({ err: failureFields(error), failed: this.counts.failed }, 'mail not prepared: storage failed');
        return this.finish();
      }
      if (!mail) return this.finish();
      job.rendered = renderMail(this.templates, mail);
      job.template = mail.template;
      if (this.mode === 'outbox') return this.writeOutbox(job, mail);
    }
    job.attempts += 1;
    try {
      await this.transport.sendMail({ ...job.rendered, from: this.config.mailFrom });
      this.counts.sent += 1;
      this.finish();
    } catch (error) {
      this.retryOrFail(job, error);
    }
  }

  private async writeOutbox(job: Job, mail: Mail): Promise<void> {
    try {
      const info = await this.transport.sendMail({ ...job.rendered!, from: this.config.mailFrom });
      const file = writeToOutbox(this.config.dataDir, info.message as Buffer, this.clock());
      this.counts.sent += 1;
      // The point of the outbox mode: a developer clicks through without a mail server.
      this.log.info({ to: mail.to, template: mail.template, link: mail.values.link, file }, 'mail written to outbox');
    } catch (error) {
      this.counts.failed += 1;
      this.log.error({ err: failureFields(error), template: mail.template }, 'mail not written to the outbox');
    }
    this.finish();
  }

  private retryOrFail(job: Job, error: unknown): void {
    const fields = { template: job.template, attempts: job.attempts, ...failureFields(error) };
    if (!isTemporary(error) || job.attempts >= this.config.mailRetryAttempts || this.closing) {
      this.counts.failed += 1;
      this.log.error({ ...fields, failed: this.counts.failed }, 'mail not sent: giving up');
      this.finish();
      return;
    }
    const delayMs = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** (job.attempts - 1));
    this.counts.retried += 1;
    this.log.warn({ ...fields, retryInMs: delayMs }, 'mail not sent: will retry');
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.queue.push(job);
      this.pump();
    }, delayMs);
    // A retry alone does not keep a process alive; close() accounts for it.
    timer.unref();
    this.timers.add(timer);
  }
}

import type { Logger } from 'pino';
import { resolveSecret, type Config } from './config/index.js';
import { type Clock, type Core, createCore, type PasswordHasher } from './core/index.js';
import { buildApp, type App } from './http/app.js';
import { createLogger } from './logger.js';
import { createPasswordHasher } from './runtime/password-pool.js';
import { type RevocationHub, startRevocationHub } from './runtime/revocation-hub.js';
import { systemClock } from './runtime/system-clock.js';
import { type MailLog, MailService } from './runtime/mail/mail-service.js';
import { startCoreTimers } from './runtime/timers.js';
import { openStores, type StoreLog } from './store/open-stores.js';

/** A core with its mail transport, whose queue tests and `serve` may look at. */
export type RunningCore = Core & { mail: MailService };

export interface Latchkey {
  app: App;
  core: RunningCore;
  /** Stops accepting requests, lets in-flight ones finish, then closes the stores. */
  close(): Promise<void>;
}

/**
 * Opens the stores the config names (migrating the database), starts the password pool, builds
 * the core over them and schedules its background work; closing the core stops all of it.
 */
export async function openCore(
  config: Readonly<Config>,
  clock: Clock = systemClock,
  log?: StoreLog,
  mailLog: MailLog = storeMailLog(log),
): Promise<RunningCore> {
  const secret = resolveSecret(config);
  const { stores } = await openStores(config, clock, log);
  let passwords: PasswordHasher | undefined;
  const mail = new MailService(config, mailLog, clock);
  try {
    passwords = await createPasswordHasher(config.passwordHashConcurrency);
    const core = await createCore({ config, secret, stores, clock, passwords, mailer: mail });
    // Every instance's feed (and this one's) reads the database when poked; the CLI pokes too.
    core.denylist.onRecorded(() => stores.revocationSignal.announce());
    const timers = await startCoreTimers(core);
    const hasher = passwords;
    return {
      ...core,
      mail,
      async close() {
        timers.stop();
        // First: mails being prepared still read and write the stores.
        await mail.close();
        await Promise.all([core.close(), hasher.close()]);
      },
    };
  } catch (error) {
    await Promise.all([mail.close(), stores.close(), passwords?.close()]);
    throw error;
  }
}

/**
 * The mail service's warnings through a StoreLog (the CLI's), as `message key=value`. Its info
 * lines are not printed: a command's stderr is for what went wrong, and no command mails a link.
 */
function storeMailLog(log: StoreLog | undefined): MailLog {
  const line = (fields: object, message: string) =>
    `${message} ${Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ')}`;
  return {
    info: () => {},
    warn: (fields, message) => log?.warn(line(fields, message)),
    error: (fields, message) => log?.warn(line(fields, message)),
  };
}

/** The whole server: the core and the HTTP app over it. */
export async function createLatchkey(
  config: Readonly<Config>,
  options: { clock?: Clock; logger?: Logger } = {},
): Promise<Latchkey> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const core = await openCore(
    config,
    options.clock,
    { warn: (message) => logger.warn(message), info: (message) => logger.info(message) },
    logger,
  );
  let hub: RevocationHub | undefined;
  try {
    hub = await startRevocationHub(core, (error) => logger.warn({ err: error }, 'revocation feed: reading failed'));
    const app = await buildApp({ core, logger, feed: hub });
    const feed = hub;
    return {
      app,
      core,
      async close() {
        // The app ends the feed's streams first (preClose), so no stream holds the shutdown.
        await app.close();
        feed.stop();
        await core.close();
      },
    };
  } catch (error) {
    hub?.stop();
    await core.close();
    throw error;
  }
}

import type { Logger } from 'pino';
import { resolveSecret, type Config } from './config/index.js';
import { systemClock, type Clock } from './core/clock.js';
import { createCore, type Core } from './core/core.js';
import { buildApp, type App } from './http/app.js';
import { createLogger } from './logger.js';
import { openStores, type StoreLog } from './store/open-stores.js';

export interface Latchkey {
  app: App;
  core: Core;
  /** Stops accepting requests, lets in-flight ones finish, then closes the stores. */
  close(): Promise<void>;
}

/** Opens the stores the config names (migrating the database) and builds the core over them. */
export async function openCore(config: Readonly<Config>, clock: Clock = systemClock, log?: StoreLog): Promise<Core> {
  const secret = resolveSecret(config);
  const { stores } = await openStores(config, clock, log);
  try {
    return await createCore({ config, secret, stores, clock });
  } catch (error) {
    await stores.close();
    throw error;
  }
}

/** The whole server: the core and the HTTP app over it. */
export async function createLatchkey(config: Readonly<Config>, options: { clock?: Clock; logger?: Logger } = {}): Promise<Latchkey> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const core = await openCore(config, options.clock, { warn: (message) => logger.warn(message), info: (message) => logger.info(message) });
  const app = await buildApp({ core, logger });
  return {
    app,
    core,
    async close() {
      await app.close();
      await core.close();
    },
  };
}

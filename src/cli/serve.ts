import type { Config } from '../config/index.js';
import { createLatchkey } from '../server.js';

/** `latchkey serve`: listens until SIGTERM/SIGINT, then drains in-flight requests and exits. */
export async function serve(config: Readonly<Config>): Promise<void> {
  const latchkey = await createLatchkey(config);
  const { app } = latchkey;
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ env: config.env, storage: config.databaseUrl ? 'postgres+redis' : 'embedded' }, 'latchkey ready');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: draining in-flight requests');
    const deadline = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000);
    deadline.unref();
    latchkey.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  // Checked on every (re)connect, not awaited: a kv store that connects late, or hangs, must
  // neither hide the warning nor hold up start-up.
  const { kv } = latchkey.core.stores;
  const warnAboutSettings = () => void kv.settingsWarnings().then((warnings) => warnings.forEach((warning) => app.log.warn(warning)));
  kv.onReady(warnAboutSettings);
  warnAboutSettings();
}

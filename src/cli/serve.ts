import { errorCode, StartupError, type Config } from '../config/index.js';
import type { Server } from 'node:http';
import { listenForMetrics } from '../http/metrics.js';
import { createLatchkey } from '../server.js';

/** One line for a listen() failure the operator can fix, naming the setting; null for anything else. */
function listenFailure(error: unknown, config: Readonly<Config>): string | null {
  switch (errorCode(error)) {
    case 'EADDRINUSE':
      return `PORT: ${config.port} is already in use on ${config.host}; stop the other process or choose another PORT`;
    case 'EACCES':
      return `PORT: this user may not listen on port ${config.port}; choose a PORT above 1023`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return `HOST: ${config.host} does not resolve to an address; use an IP address (127.0.0.1, 0.0.0.0) or a name this machine resolves`;
    case 'EADDRNOTAVAIL':
      return `HOST: ${config.host} is not an address of this machine; use one of its addresses, or 0.0.0.0 for all`;
    default:
      return null;
  }
}

/** `latchkey serve`: listens until SIGTERM/SIGINT, then drains in-flight requests and exits. */
export async function serve(config: Readonly<Config>): Promise<void> {
  // serve only: the other commands (user create, client list) must work wherever they run.
  if (config.env === 'production' && config.email && !config.smtpUrl)
    throw new StartupError(
      'SMTP_URL: required with LATCHKEY_ENV=production (mails would only reach DATA_DIR/outbox); set it, or EMAIL=off',
    );
  const latchkey = await createLatchkey(config);
  const { app } = latchkey;
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await latchkey.close().catch(() => {});
    const message = listenFailure(error, config);
    throw message ? new StartupError(message, { cause: error }) : error;
  }
  let metricsServer: Server | undefined;
  if (app.metrics && config.metricsPort !== undefined) {
    const { metricsPort, metricsHost } = config;
    metricsServer = await listenForMetrics(app.metrics, metricsPort, metricsHost).catch(async (error) => {
      await latchkey.close().catch(() => {});
      throw new StartupError(`METRICS_PORT: cannot listen on ${metricsHost}:${metricsPort} (${errorCode(error)})`);
    });
  }
  app.log.info(
    {
      env: config.env,
      storage: config.databaseUrl ? 'postgres+redis' : 'embedded',
      mail: config.email ? latchkey.core.mail.mode : 'off',
    },
    'latchkey ready',
  );

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
    metricsServer?.close();
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
  const warnAboutSettings = () =>
    void kv.settingsWarnings().then((warnings) =>
      warnings.forEach((warning) => {
        app.log.warn(warning);
      }),
    );
  kv.onReady(warnAboutSettings);
  warnAboutSettings();
}

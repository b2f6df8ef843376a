import pg from 'pg';
import { errorCode, StartupError } from '../../config/startup-error.js';

const FIRST_DELAY_MS = 500;
const LONGEST_DELAY_MS = 5_000;
// Bounds one attempt: an address that drops packets would otherwise hang until the OS gives up.
const ATTEMPT_TIMEOUT_MS = 5_000;
// SQLSTATE 57P03: the server is starting up or shutting down; worth waiting for.
const CANNOT_CONNECT_NOW = '57P03';

interface Target {
  host: string;
  port: string;
  database: string;
  user: string;
}

/** Where the URL points, for messages: never its password. */
function targetOf(url: string): Target {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username) || 'postgres';
  return {
    host: parsed.hostname || 'localhost',
    port: parsed.port || '5432',
    database: decodeURIComponent(parsed.pathname.slice(1)) || user,
    user,
  };
}

/** A server's answer (a five-character SQLSTATE) is final unless the server is starting up. */
function isRetryable(error: unknown): boolean {
  const code = errorCode(error);
  return code === undefined || code === CANNOT_CONNECT_NOW || !/^[0-9A-Z]{5}$/.test(code);
}

/** One line for an answer that waiting will not change. */
function finalMessage(error: unknown, target: Target): string {
  const where = `${target.host}:${target.port}`;
  switch (errorCode(error)) {
    case '3D000':
      return `DATABASE_URL: database "${target.database}" does not exist on ${where}; create it (createdb ${target.database}) or fix the name in the URL`;
    case '28P01':
    case '28000':
      return `DATABASE_URL: PostgreSQL at ${where} refused user "${target.user}"; check the user name and password in the URL`;
    default:
      return `DATABASE_URL: PostgreSQL at ${where} refused the connection (${errorCode(error)}: ${(error as Error).message}); fix the URL or the server`;
  }
}

function causeOf(error: unknown): string {
  return errorCode(error) ?? (error as Error).message;
}

/**
 * Waits until PostgreSQL accepts a connection, retrying with backoff for up to `timeoutSeconds`
 * (a database container may start after this one), calling `warn` once per failed attempt.
 * Throws StartupError with one line when it gives up or the server's answer is final.
 */
export async function waitForPostgres(
  url: string,
  timeoutSeconds: number,
  warn: (message: string) => void,
): Promise<void> {
  const target = targetOf(url);
  const deadline = Date.now() + timeoutSeconds * 1000;
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: ATTEMPT_TIMEOUT_MS });
    // A failed connect also emits 'error'; it is reported through connect()'s rejection.
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (!isRetryable(error)) throw new StartupError(finalMessage(error, target), { cause: error });
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new StartupError(
          `DATABASE_URL: cannot reach PostgreSQL at ${target.host}:${target.port} (${causeOf(error)}) after ${attempt} attempt(s) in ${timeoutSeconds} s; start it or fix the host and port (DATABASE_CONNECT_TIMEOUT_SECONDS waits longer)`,
          { cause: error },
        );
      }
      const wait = Math.min(delay, left);
      warn(
        `PostgreSQL at ${target.host}:${target.port} not reachable (${causeOf(error)}), attempt ${attempt}; retrying in ${(wait / 1000).toFixed(1)} s`,
      );
      await new Promise((resolve) => setTimeout(resolve, wait));
      delay = Math.min(delay * 2, LONGEST_DELAY_MS);
    }
  }
}

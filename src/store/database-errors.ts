import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** The database could not be reached or went away mid-query (a restart, a failover): retry shortly. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

// SQLSTATE class 08 (connection exception), and the server shutting down, crashing, starting up,
// or full: waiting cures all of them.
const UNAVAILABLE_SQLSTATES = /^08|^57P0[123]$|^53300$/;
// Socket failures on the way to the server.
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// What node-postgres throws without a code when the connection goes away under a query.
const UNAVAILABLE_MESSAGES = /^Connection terminated|not queryable|^timeout exceeded when trying to connect/;

function saysUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
  if (error instanceof AggregateError && error.errors.some(saysUnavailable)) return true;
  return UNAVAILABLE_MESSAGES.test(error.message);
}

/** `error` from a PostgreSQL call, as DatabaseUnavailableError when it says the server is away. */
function classify(error: unknown): unknown {
  return saysUnavailable(error) ? new DatabaseUnavailableError((error as Error).message, { cause: error }) : error;
}

/**
 * The pool as Kysely sees it, with outages turned into DatabaseUnavailableError. Only errors of
 * the database's own calls are classified: the same socket errors from a client's request are not
 * a database outage.
 */
export function classifyingPool(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => ({
    // Kysely sends SQL text and parameters; no cursor is configured.
    query: ((sql: string, parameters: unknown[]) =>
      client.query(sql, parameters).catch((error: unknown) => {
        throw classify(error);
      })) as unknown as PostgresPoolClient['query'],
    release: () => client.release(),
  });
  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw classify(error);
      }
      let view = wrapped.get(client);
      if (!view) wrapped.set(client, (view = wrap(client)));
      return view;
    },
    end: () => pool.end(),
  };
}

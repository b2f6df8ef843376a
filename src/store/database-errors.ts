// SQLSTATE class 08 (connection exception), and the server shutting down, crashing, starting up,
// or full: waiting cures all of them, so the answer is 503, not 500.
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
  // The embedded file stayed locked past busy_timeout by another process.
  'SQLITE_BUSY',
]);
// What node-postgres throws without a code when the connection goes away under a query.
const UNAVAILABLE_MESSAGES = /^Connection terminated|not queryable|^timeout exceeded when trying to connect/;

/**
 * Whether `error` says the database could not be reached or went away (a restart, a failover, a
 * network fault), rather than that a query was wrong: the caller should answer 503 and retry.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
    if (UNAVAILABLE_MESSAGES.test(current.message)) return true;
    if (current instanceof AggregateError && current.errors.some(isDatabaseUnavailable)) return true;
    current = current.cause;
  }
  return false;
}

import pino, { type Logger } from 'pino';

const SECRET_FIELDS = [
  'password',
  'currentPassword',
  'newPassword',
  'current_password',
  'new_password',
  'refreshToken',
  'refresh_token',
  'token',
  'access_token',
  'pendingToken',
  'mfa_token',
  'secret',
];

/**
 * Where a secret-named field could ride into a log line: a body someone logs, an error's own
 * fields and what it wraps, and the usual names for a payload. Requests are logged without headers
 * or bodies (serializeRequest), so this is the second line of defence.
 *
 * Named, not `*.password`: pino runs a path that starts with a wildcard on every key of every line
 * and of every child's bindings, and Fastify makes a child per request: named paths cost far less.
 */
const CONTAINERS = [
  'body',
  'err',
  'err.details',
  'err.cause',
  'err.body',
  'error',
  'details',
  'data',
  'input',
  'user',
  'credentials',
  'headers',
  'query',
  'params',
];

// Request headers that carry credentials. Fastify never logs headers, but @fastify/multipart logs
// the upload's headers at trace level (busboyOptions).
const HEADER_CONTAINERS = ['headers', 'busboyOptions.headers'];
const SECRET_HEADERS = ['authorization', 'cookie', '["x-api-key"]'];

const REDACT = [
  ...CONTAINERS.flatMap((container) => SECRET_FIELDS.map((field) => `${container}.${field}`)),
  ...HEADER_CONTAINERS.flatMap((container) => SECRET_HEADERS.map((header) => `${container}.${header}`)),
  // `code` is censored in bodies only: an error's `code` (a SQLSTATE, ECONNREFUSED) must stay readable.
  'body.code',
  'err.body.code',
  // The bytes of a request Node's HTTP parser refused (Fastify logs the error at trace level).
  'err.rawPacket',
];

/** A request as logged: the path without its query string (a client may put a token there). */
function serializeRequest(request: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) {
  return {
    method: request.method,
    path: request.url.split('?')[0],
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, serializers: { req: serializeRequest } };
  return destination ? pino(options, destination) : pino(options);
}

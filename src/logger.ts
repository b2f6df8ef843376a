import pino, { type Logger } from 'pino';

/**
 * Body fields that carry secrets, censored wherever an object holding them is logged. Requests are
 * logged without headers or bodies (serializeRequest), so this is the second line of defence.
 * `code` is censored in bodies only: an error's `code` (a SQLSTATE, ECONNREFUSED) must stay readable.
 */
const REDACT = [
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.current_password',
  '*.new_password',
  '*.refreshToken',
  '*.refresh_token',
  '*.token',
  '*.access_token',
  '*.pendingToken',
  '*.mfa_token',
  '*.secret',
  'body.code',
  '*.body.code',
];

/** A request as logged: the path without its query string (a client may put a token there). */
function serializeRequest(request: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) {
  return { method: request.method, path: request.url.split('?')[0], remoteAddress: request.ip ?? request.socket?.remoteAddress };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, serializers: { req: serializeRequest } };
  return destination ? pino(options, destination) : pino(options);
}

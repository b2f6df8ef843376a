import pino, { type Logger } from 'pino';

/** Headers and body fields that carry secrets: censored wherever they would appear in a log line. */
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.refreshToken',
  '*.refresh_token',
  '*.token',
  '*.access_token',
  '*.pendingToken',
  '*.mfa_token',
  '*.code',
  '*.secret',
];

/** A request as logged: the path without its query string (a client may put a token there). */
function serializeRequest(request: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) {
  return { method: request.method, path: request.url.split('?')[0], remoteAddress: request.ip ?? request.socket?.remoteAddress };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, serializers: { req: serializeRequest } };
  return destination ? pino(options, destination) : pino(options);
}

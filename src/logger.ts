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

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } });
}

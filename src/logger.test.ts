import { describe, expect, it } from 'vitest';
import { captureLog } from '../test/helpers/log-capture.js';
import { createLogger } from './logger.js';

describe('the logger', () => {
  it('logs a request path without its query string', () => {
    const { lines, stream } = captureLog();
    createLogger('info', stream).info(
      { req: { method: 'GET', url: '/api/v1/agents?access_token=s3cret', ip: '127.0.0.1' } },
      'incoming',
    );
    expect(lines.join('')).not.toContain('s3cret');
    expect(JSON.parse(lines[0]!).req).toEqual({ method: 'GET', path: '/api/v1/agents', remoteAddress: '127.0.0.1' });
  });

  it('keeps an error’s code readable', () => {
    const { lines, stream } = captureLog();
    createLogger('info', stream).error(
      { err: Object.assign(new Error('duplicate key'), { code: '23505' }) },
      'query failed',
    );
    expect(JSON.parse(lines[0]!).err.code).toBe('23505');
  });

  it('censors secrets in a logged body, and leaves out request headers', () => {
    const { lines, stream } = captureLog();
    const secrets = { password: 'hunter2hunter2', refreshToken: 'rt-value', code: '123456', secret: 'JBSWY3DP' };
    createLogger('info', stream).info(
      { body: secrets, req: { method: 'POST', url: '/x', headers: { authorization: 'Bearer abc' } } },
      'x',
    );
    const line = lines.join('');
    for (const value of [...Object.values(secrets), 'Bearer abc']) expect(line).not.toContain(value);
    expect(JSON.parse(line).body.password).toBe('[redacted]');
  });

  it('censors secrets in an error’s own fields and its details, and logs no field of the error it wraps', () => {
    const { lines, stream } = captureLog();
    const inner = Object.assign(new Error('inner'), { token: 'inner-token-value' });
    const error = Object.assign(new Error('outer', { cause: inner }), {
      refreshToken: 'own-rt-value',
      details: { password: 'details-password' },
    });
    createLogger('info', stream).error({ err: error }, 'unhandled error');
    const logged = JSON.parse(lines[0]!).err;
    expect(logged.refreshToken).toBe('[redacted]');
    expect(logged.details.password).toBe('[redacted]');
    for (const value of ['inner-token-value', 'own-rt-value', 'details-password'])
      expect(lines[0]).not.toContain(value);
    expect(logged.message).toBe('outer: inner');
  });

  it('censors credential headers wherever headers are logged, and the raw bytes of a refused request', () => {
    const { lines, stream } = captureLog();
    const headers = {
      authorization: 'Bearer header-token',
      cookie: 'latchkey_refresh=cookie-token',
      'x-api-key': 'lk_ingest_header-key',
      'user-agent': 'curl',
    };
    const logger = createLogger('trace', stream);
    logger.trace({ busboyOptions: { headers } }, 'multipart options');
    logger.info({ headers }, 'x');
    logger.trace(
      {
        err: Object.assign(new Error('Parse Error'), {
          rawPacket: Buffer.from('GET / HTTP/1.1\r\nAuthorization: Bearer raw-token'),
        }),
      },
      'client error',
    );
    const text = lines.join('');
    for (const value of ['header-token', 'cookie-token', 'header-key', 'raw-token']) expect(text).not.toContain(value);
    expect(JSON.parse(lines[1]!).headers['user-agent']).toBe('curl');
    // A Buffer is logged as its bytes, which would spell the token out in numbers.
    expect(JSON.parse(lines[2]!).err.rawPacket).toBe('[redacted]');
  });
});

import type { FastifyBaseLogger, FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AuthError, type ErrorCode } from '../core/index.js';
import { DatabaseUnavailableError } from '../store/database-errors.js';
import { KvUnavailableError } from '../store/kv.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

function describeValidation(error: FastifyError): string {
  if (!hasZodFastifySchemaValidationErrors(error)) return error.message;
  const first = error.validation[0];
  if (!first) return 'Request validation failed';
  const field = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const where = field || (error.validationContext ?? 'body');
  return `${where}: ${first.message ?? 'invalid'}`;
}

/**
 * Turns anything a handler or Fastify threw into an AuthError. Unknown errors become a generic
 * 500 and are logged in full here; their text never reaches the response.
 */
export function toAuthError(error: unknown, log: FastifyBaseLogger): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof KvUnavailableError) {
    log.warn({ err: error }, 'kv store unavailable');
    return new AuthError('KV_UNAVAILABLE');
  }
  if (error instanceof DatabaseUnavailableError) {
    log.warn({ err: error }, 'database unavailable');
    return new AuthError('DATABASE_UNAVAILABLE', { headers: { 'retry-after': '1' } });
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    return new AuthError('VALIDATION_FAILED', { message: describeValidation(error as FastifyError) });
  }
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return new AuthError(mapped);
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own 4xx (e.g. prototype poisoning); its message names no secret.
    return new AuthError('BAD_REQUEST', { message: fastifyError.message ?? 'Bad request' });
  }
  log.error({ err: error }, 'unhandled error');
  return new AuthError('INTERNAL_ERROR');
}

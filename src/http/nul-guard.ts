import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { AuthError } from '../core/errors.js';

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\0') || containsNul(v));
  return false;
}

/**
 * Refuses NUL characters in the path, query and JSON body with a 400: PostgreSQL cannot store
 * them in text, and no field of this API has a use for them.
 */
export function rejectNulCharacters(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  if (containsNul(request.params) || containsNul(request.query) || containsNul(request.body)) {
    done(new AuthError('VALIDATION_FAILED', { message: 'Text must not contain NUL characters' }));
    return;
  }
  done();
}

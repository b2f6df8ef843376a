import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { AuthError } from '../core/index.js';

/**
 * Deepest nesting of arrays and objects a request may carry. No body of either surface nests more
 * than three levels; the limit keeps every later walk of the data (validation, logging,
 * serialising metadata) far from the stack's end.
 */
export const JSON_DEPTH_MAX = 32;

type Finding = 'nul' | 'too-deep' | null;

/**
 * Looks through parsed request data for NUL characters and nesting deeper than JSON_DEPTH_MAX.
 * Iterative on purpose: the data is the client's, and a recursive walk let ~5,000 levels of `[`
 * overflow the stack.
 */
export function inspectRequestData(root: unknown): Finding {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\0')) return 'nul';
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= JSON_DEPTH_MAX) return 'too-deep';
    if (Array.isArray(value)) {
      for (const item of value) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\0')) return 'nul';
      stack.push({ value: item, depth: depth + 1 });
    }
  }
  return null;
}

/**
 * Refuses NUL characters in the path, query and JSON body with a 400 (PostgreSQL cannot store
 * them in text, and no field of this API has a use for them), and bodies nested deeper than
 * JSON_DEPTH_MAX levels.
 */
export function rejectNulCharacters(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const finding =
    inspectRequestData(request.params) ?? inspectRequestData(request.query) ?? inspectRequestData(request.body);
  if (finding === 'nul') done(new AuthError('VALIDATION_FAILED', { message: 'Text must not contain NUL characters' }));
  else if (finding === 'too-deep') done(tooDeep());
  else done();
}

export function tooDeep(): AuthError {
  return new AuthError('JSON_TOO_DEEP', {
    message: `JSON may nest arrays and objects at most ${JSON_DEPTH_MAX} levels deep`,
  });
}

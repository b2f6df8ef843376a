import { z } from 'zod';
import type { AuthError } from '../../core/errors.js';

/** akol-auth.txt: every success is `{success: true, data}`. */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data });
}

export function ok<T>(data: T): { success: true; data: T } {
  return { success: true, data };
}

export function v1ErrorBody(error: AuthError) {
  return {
    success: false as const,
    error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) },
  };
}

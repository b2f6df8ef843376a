import { z } from 'zod';
import type { AuthError } from '../../core/index.js';
import { errorCode, errorDetails } from '../schemas.js';

/** akol-auth.txt: every success is `{success: true, data}`. */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data });
}

export function ok<T>(data: T): { success: true; data: T } {
  return { success: true, data };
}

/** What v1ErrorBody writes, for the OpenAPI document. */
export const v1ErrorSchema = z.object({
  success: z.literal(false),
  error: z.object({ code: errorCode, message: z.string(), details: errorDetails }),
});

export function v1ErrorBody(error: AuthError): z.infer<typeof v1ErrorSchema> {
  return {
    success: false,
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details as Record<string, unknown> }),
    },
  };
}

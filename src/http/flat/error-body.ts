import { z } from 'zod';
import type { AuthError } from '../../core/index.js';
import { errorCode, errorDetails } from '../schemas.js';

/** What flatErrorBody writes, for the OpenAPI document. */
export const flatErrorSchema = z.object({
  detail: z.string(),
  code: errorCode,
  details: errorDetails,
});

/** koeiq-auth.txt: errors are flat `{detail, code}`. */
export function flatErrorBody(error: AuthError): z.infer<typeof flatErrorSchema> {
  return {
    detail: error.message,
    code: error.code,
    ...(error.details === undefined ? {} : { details: error.details as Record<string, unknown> }),
  };
}

import type { AuthError } from '../../core/errors.js';

/** koeiq-auth.txt: errors are flat `{detail, code}`. */
export function flatErrorBody(error: AuthError) {
  return { detail: error.message, code: error.code, ...(error.details === undefined ? {} : { details: error.details }) };
}

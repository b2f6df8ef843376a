/**
 * Every refusal the verifier answers with: code -> HTTP status and default message. The codes are
 * Latchkey's own (its README's error table) plus AUTH_UNAVAILABLE; once shipped, never renamed.
 */
export const VERIFY_ERRORS = {
  NO_BEARER_TOKEN: { status: 401, message: 'No bearer token' },
  INVALID_TOKEN: { status: 401, message: 'Invalid token' },
  TOKEN_EXPIRED: { status: 401, message: 'Access token expired' },
  TOKEN_REVOKED: { status: 401, message: 'Token has been revoked' },
  INSUFFICIENT_SCOPE: { status: 403, message: 'Token lacks the required scope' },
  AUTH_UNAVAILABLE: { status: 503, message: 'Token checks are unavailable; try again shortly' },
} as const;

export type VerifyErrorCode = keyof typeof VERIFY_ERRORS;

/** Why a token was refused: a stable `code`, the HTTP `status` to answer, and for a scope, which. */
export class VerifyError extends Error {
  override readonly name = 'VerifyError';
  readonly status: number;
  /** With INSUFFICIENT_SCOPE: the scope that was required. */
  readonly requiredScope: string | undefined;

  constructor(
    readonly code: VerifyErrorCode,
    options: { message?: string; cause?: unknown; requiredScope?: string } = {},
  ) {
    super(options.message ?? VERIFY_ERRORS[code].message, { cause: options.cause });
    this.status = VERIFY_ERRORS[code].status;
    this.requiredScope = options.requiredScope;
  }
}

/** The error codes of the OAuth endpoints: RFC 6749 section 5.2 and RFC 7009 section 2.2.1. */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'unsupported_token_type',
  'temporarily_unavailable',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  unsupported_token_type: 400,
  temporarily_unavailable: 503,
};

/**
 * An expected failure of an /oauth/* endpoint: answered as the RFCs' `{error, error_description}`,
 * not in either surface's envelope.
 */
export class OAuthError extends Error {
  override name = 'OAuthError';
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly error: OAuthErrorCode,
    description: string,
    options: { status?: number; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(description, { cause: options.cause });
    this.status = options.status ?? STATUS[error];
    this.headers = options.headers ?? {};
  }
}

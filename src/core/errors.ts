/**
 * Every error Latchkey answers with: code -> HTTP status and default message.
 * Codes are API: once shipped, never renamed or reused (clients switch on them).
 * The README's error table is checked against this one by test/errors.table.test.ts.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'Request validation failed' },
  INVALID_JSON: { status: 400, message: 'Request body is not valid JSON' },
  JSON_TOO_DEEP: { status: 400, message: 'JSON is nested too deeply' },
  BAD_REQUEST: { status: 400, message: 'Bad request' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body is too large' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request took too long to arrive' },
  REQUEST_HEADERS_TOO_LARGE: { status: 431, message: 'Request headers are too large' },
  ROUTE_NOT_FOUND: { status: 404, message: 'Route not found' },
  URI_TOO_LONG: { status: 414, message: 'A part of the URL is longer than this server accepts' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  INVALID_CREDENTIALS: { status: 401, message: 'Invalid email or password' },
  ACCOUNT_LOCKED: { status: 423, message: 'Account locked' },
  ACCOUNT_DISABLED: { status: 403, message: 'Account disabled' },
  TOO_MANY_LOGIN_ATTEMPTS: { status: 429, message: 'Too many login attempts' },
  REGISTRATION_DISABLED: { status: 403, message: 'Self sign-up is disabled on this server' },
  EMAIL_TAKEN: { status: 409, message: 'An account with this email already exists' },
  EMAIL_NOT_VERIFIED: {
    status: 403,
    message: 'Verify your e-mail address first: follow the link mailed to you, or ask for a new one',
  },
  INVALID_EMAIL_TOKEN: { status: 400, message: 'This link is invalid, expired or already used; ask for a new one' },
  EMAIL_DISABLED: { status: 404, message: 'E-mail is off on this server (EMAIL=off)' },
  WEAK_PASSWORD: { status: 400, message: 'Password must be 8 to 128 characters' },
  GUESSABLE_PASSWORD: { status: 400, message: 'This password is too easy to guess; choose another' },
  PASSWORD_UNCHANGED: { status: 400, message: 'The new password is the same as the current one' },
  NO_BEARER_TOKEN: { status: 401, message: 'No bearer token' },
  INVALID_TOKEN: { status: 401, message: 'Invalid token' },
  TOKEN_EXPIRED: { status: 401, message: 'Access token expired; get a new one from /auth/refresh' },
  TOKEN_REVOKED: { status: 401, message: 'Token has been revoked; log in again' },
  REFRESH_TOKEN_AS_BEARER: {
    status: 401,
    message: 'Refresh tokens go in the body of /auth/refresh, not in the Authorization header',
  },
  PENDING_TOKEN_AS_BEARER: {
    status: 401,
    message: 'A 2FA pending token is only accepted by the 2FA verify endpoint; finish the login first',
  },
  WRONG_ENVIRONMENT: { status: 401, message: 'Token was issued for another environment' },
  INVALID_REFRESH_TOKEN: { status: 401, message: 'Invalid or expired refresh token; log in again' },
  REFRESH_TOKEN_REUSED: {
    status: 401,
    message: 'Refresh token was already used; the session has been revoked, log in again',
  },
  SESSION_REVOKED: { status: 401, message: 'Session has been revoked; log in again' },
  INVALID_2FA_CODE: { status: 401, message: 'Invalid two-factor code' },
  INVALID_PENDING_TOKEN: { status: 401, message: 'Two-factor login expired or already used; log in again' },
  MFA_LOCKED: { status: 423, message: 'Two-factor verification locked after too many wrong codes' },
  MFA_ALREADY_ENABLED: { status: 409, message: 'Two-factor authentication is already enabled; disable it first' },
  MFA_NOT_ENABLED: { status: 400, message: 'Two-factor authentication is not enabled' },
  MFA_CODE_REQUIRED: {
    status: 400,
    message: 'This account has two-factor authentication: send a current code or a recovery code too',
  },
  MFA_SETUP_NOT_STARTED: { status: 400, message: 'No two-factor setup in progress; call setup first' },
  INVALID_PAT: { status: 401, message: 'Invalid or revoked personal access token' },
  INVALID_API_KEY: { status: 401, message: 'Invalid or revoked API key' },
  NO_API_KEY: { status: 401, message: 'Missing X-API-Key header' },
  API_KEY_NOT_ALLOWED: {
    status: 401,
    message: 'API keys only work on Ingest API endpoints (/api/ingest/*); use a JWT bearer token for this endpoint',
  },
  BEARER_NOT_ALLOWED_ON_INGEST: {
    status: 401,
    message: 'Ingest endpoints take an X-API-Key header, not a bearer token',
  },
  INSUFFICIENT_SCOPE: { status: 403, message: 'Token lacks the required scope' },
  FORBIDDEN: { status: 403, message: 'Not allowed' },
  API_KEY_EXISTS: { status: 409, message: 'An API key already exists; send {"replace": true} to replace it' },
  AGENT_LIMIT_REACHED: { status: 409, message: 'This account has as many agents as it may have; delete one first' },
  API_KEY_NOT_FOUND: { status: 404, message: 'No API key; generate one first' },
  UNSUPPORTED_AUDIO_TYPE: { status: 415, message: 'Only audio files (audio/*) can be uploaded' },
  UPLOAD_TOO_LARGE: { status: 413, message: 'The uploaded file is larger than this server accepts' },
  STORAGE_QUOTA_EXCEEDED: { status: 413, message: "The account's storage quota is full" },
  UPLOAD_RATE_LIMITED: { status: 429, message: 'Too many uploads with this API key; retry later' },
  TOO_MANY_PARTS: { status: 413, message: 'The upload has more parts than this server accepts' },
  NO_FILE: { status: 400, message: 'No file: send the audio as a multipart file part named "file"' },
  SESSION_TOKEN_REQUIRED: { status: 403, message: 'This endpoint needs a session token from /auth/login' },
  RECENT_LOGIN_REQUIRED: {
    status: 401,
    message: 'This needs a recent login; confirm your password at /auth/reauthenticate, then retry',
  },
  PASSWORD_CHANGE_CONFLICT: {
    status: 409,
    message: 'The password was changed by another request at the same time; sign in with the new password',
  },
  CLIENT_TOKEN_NOT_ALLOWED: {
    status: 403,
    message: 'This endpoint acts for a user account; an OAuth client token has none',
  },
  INVALID_PASSKEY: { status: 401, message: 'Passkey not recognised or not verified' },
  INVALID_PASSKEY_CHALLENGE: {
    status: 400,
    message: 'Passkey challenge expired, already used or for another step; request new options',
  },
  PASSKEY_REGISTRATION_FAILED: { status: 400, message: 'The new passkey could not be verified' },
  NO_PASSKEY: { status: 400, message: 'This account has no passkey' },
  LAST_SIGN_IN_METHOD: {
    status: 409,
    message: "This is the account's last way to sign in; add a password or another passkey first",
  },
  KV_UNAVAILABLE: { status: 503, message: 'Session store unavailable; try again shortly' },
  SERVER_BUSY: { status: 503, message: 'Too many sign-ins at once; retry shortly' },
  DATABASE_UNAVAILABLE: { status: 503, message: 'Database unavailable; try again shortly' },
  INTERNAL_ERROR: { status: 500, message: 'Internal server error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** An expected failure with a stable code; each HTTP surface renders it in its own body shape. */
export class AuthError extends Error {
  override name = 'AuthError';
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra response headers, e.g. Retry-After on 429. */
  readonly headers: Readonly<Record<string, string>>;
  /** Safe-to-show detail, e.g. the field that failed validation. */
  readonly details: unknown;

  constructor(
    code: ErrorCode,
    options: { message?: string; headers?: Record<string, string>; details?: unknown; cause?: unknown } = {},
  ) {
    super(options.message ?? ERRORS[code].message, { cause: options.cause });
    this.code = code;
    this.status = ERRORS[code].status;
    this.headers = options.headers ?? {};
    this.details = options.details;
  }
}

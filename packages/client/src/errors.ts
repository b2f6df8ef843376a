/**
 * A refusal from the server, with its stable `code` (the server README's error table): clients
 * switch on the code, never on the message. Both surfaces' error bodies are read.
 */
export class LatchkeyError extends Error {
  override name = 'LatchkeyError';
  constructor(
    /** The HTTP status. */
    readonly status: number,
    /** The server's stable code, or `HTTP_<status>` when the body carried none (a proxy's error page). */
    readonly code: string,
    message: string,
    /** Machine-readable extras: `requiredScope`, `reason`, `retryAfterSeconds`, `maxAgeSeconds`. */
    readonly details: Record<string, unknown> = {},
    /** Seconds to wait, from `details.retryAfterSeconds` (423) or the `Retry-After` header (429); else null. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

/**
 * 401 `RECENT_LOGIN_REQUIRED`: the action needs a recent login. Answer it with
 * `client.reauthenticate(password, code?)`, then retry the action.
 */
export class RecentLoginRequiredError extends LatchkeyError {
  override name = 'RecentLoginRequiredError';
  /** How old a login may be for this action, in seconds (`details.maxAgeSeconds`). */
  get maxAgeSeconds(): number | null {
    const value = Number(this.details.maxAgeSeconds);
    return Number.isFinite(value) ? value : null;
  }
}

function objectOf(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function positive(value: unknown): number | null {
  const number = Number(value);
  return value !== null && Number.isFinite(number) && number > 0 ? number : null;
}

/**
 * The error a failed response stands for. `/api/v1` answers `{success: false, error: {code,
 * message, details?}}`; `/api` answers `{detail, code, details?}`.
 */
export function errorOf(status: number, statusText: string, headers: Headers, body: unknown): LatchkeyError {
  const record = objectOf(body);
  const nested = objectOf(record.error);
  const v1 = typeof nested.code === 'string';
  const code = String((v1 ? nested.code : record.code) ?? `HTTP_${status}`);
  const message = String((v1 ? nested.message : record.detail) ?? (statusText || 'Request failed'));
  const details = objectOf(v1 ? nested.details : record.details);
  const retryAfter = positive(details.retryAfterSeconds) ?? positive(headers.get('retry-after'));
  const Type = code === 'RECENT_LOGIN_REQUIRED' ? RecentLoginRequiredError : LatchkeyError;
  return new Type(status, code, message, details, retryAfter);
}

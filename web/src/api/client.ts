/**
 * The one place the dashboard talks HTTP. The access token lives in this module's memory only;
 * the refresh token is an HttpOnly cookie the page never sees (cookie mode, below).
 */
import type { Answer } from './contract.js';

/** An API failure with the server's stable code (both surfaces' body shapes are read). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** From `details.retryAfterSeconds` (423) or the `Retry-After` header (429). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

export type SessionEndReason = 'expired' | 'revoked';

// The custom header tells the server to keep the refresh token in its cookie. A cross-site form
// cannot send a custom header, so it is also what stops CSRF on /auth/refresh.
const COOKIE_MODE = { 'x-refresh-token-mode': 'cookie' };

// Codes meaning the session itself is gone: the user has to sign in again.
const SESSION_ENDING = new Set([
  'NO_BEARER_TOKEN',
  'INVALID_TOKEN',
  'TOKEN_REVOKED',
  'SESSION_REVOKED',
  'WRONG_ENVIRONMENT',
  'INVALID_REFRESH_TOKEN',
  'REFRESH_TOKEN_REUSED',
]);

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
const sessionEndListeners = new Set<(reason: SessionEndReason) => void>();

export function setAccessToken(token: string | null): void {
  accessToken = token;
}

export function hasAccessToken(): boolean {
  return accessToken !== null;
}

/** Called when the session ends behind the user's back (revoked elsewhere, refresh refused). */
export function onSessionEnded(listener: (reason: SessionEndReason) => void): () => void {
  sessionEndListeners.add(listener);
  return () => sessionEndListeners.delete(listener);
}

function endSession(reason: SessionEndReason): void {
  accessToken = null;
  for (const listener of sessionEndListeners) listener(reason);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Ask for (or, on logout, clear) the HttpOnly refresh cookie. */
  cookieMode?: boolean;
}

async function send<T>(path: string, options: RequestOptions, token: string | null): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...(options.cookieMode ? COOKIE_MODE : {}) };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers,
    credentials: 'same-origin',
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) throw toApiError(response, body);
  // The v1 surface wraps answers in {success, data}; the flat one answers bare.
  if (body && typeof body === 'object' && 'success' in body && 'data' in body) return (body as { data: T }).data;
  return body as T;
}

function toApiError(response: Response, body: unknown): ApiError {
  const record = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const nested = (record.error && typeof record.error === 'object' ? record.error : {}) as Record<string, unknown>;
  const code = String(nested.code ?? record.code ?? `HTTP_${response.status}`);
  const message = String(nested.message ?? record.detail ?? (response.statusText || 'Request failed'));
  const details = (nested.details && typeof nested.details === 'object' ? nested.details : {}) as Record<
    string,
    unknown
  >;
  const fromDetails = Number(details.retryAfterSeconds);
  const fromHeader = Number(response.headers.get('retry-after'));
  const retryAfter =
    Number.isFinite(fromDetails) && fromDetails > 0
      ? fromDetails
      : Number.isFinite(fromHeader) && fromHeader > 0
        ? fromHeader
        : null;
  return new ApiError(response.status, code, message, details, retryAfter);
}

/** A call that needs no session: login, sign-up, features. */
export function publicRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return send<T>(path, options, null);
}

async function refreshNow(): Promise<boolean> {
  try {
    const data = await send<Answer<'/api/v1/auth/refresh', 'post'>>(
      '/api/v1/auth/refresh',
      { method: 'POST', body: {}, cookieMode: true },
      null,
    );
    accessToken = data.token;
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) {
      accessToken = null;
      return false;
    }
    throw error;
  }
}

/**
 * Trades the refresh cookie for a new access token. However many requests ask at once, one
 * refresh is in flight: a second one would present a spent refresh token.
 */
export function refreshAccessToken(): Promise<boolean> {
  refreshing ??= refreshNow().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/**
 * A call with the session's access token. On 401 TOKEN_EXPIRED it refreshes once and retries; so
 * it does on TOKEN_REVOKED, since another tab may have replaced the session (a password change, a
 * step-up) and put the new one's refresh token in the shared cookie. When the session is gone
 * (revoked, refresh refused) it ends it, and the app shows sign-in.
 */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const used = accessToken;
  let refused: ApiError;
  try {
    return await send<T>(path, options, used);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    if (error.code !== 'TOKEN_EXPIRED' && error.code !== 'TOKEN_REVOKED') {
      if (SESSION_ENDING.has(error.code)) endSession('revoked');
      throw error;
    }
    refused = error;
  }
  // Another request may already have refreshed while this one was in flight.
  const renewed = (accessToken !== null && accessToken !== used) || (await refreshAccessToken());
  if (!renewed) {
    if (refused.code === 'TOKEN_REVOKED') {
      endSession('revoked');
      throw refused;
    }
    endSession('expired');
    throw new ApiError(401, 'SESSION_EXPIRED', 'Your session has expired. Please sign in again.');
  }
  try {
    return await send<T>(path, options, accessToken);
  } catch (error) {
    if (
      error instanceof ApiError &&
      error.status === 401 &&
      (error.code === 'TOKEN_EXPIRED' || SESSION_ENDING.has(error.code))
    ) {
      endSession('revoked');
    }
    throw error;
  }
}

import type { Answer, MethodOf, Path, Query, RequestBody } from './contract.js';
import type { RoutePath, Surface } from './routes.js';
import type { SessionEndReason } from './session.js';
import type { TokenStorage } from './storage.js';
import type { Credentials, Fetch } from './transport.js';

/** Options of createClient. Only `baseUrl` is needed outside a browser. */
export interface ClientOptions<S extends Surface = 'v1'> {
  /** Latchkey's origin, such as `https://auth.example.com`. Default `''`: the page's own origin (browsers only). */
  baseUrl?: string;
  /** `'v1'` (`/api/v1`, camelCase; the default) or `'flat'` (`/api`, snake_case). Answers come in that surface's shape. */
  surface?: S;
  /**
   * Where the refresh token lives. `'cookie'`: an HttpOnly cookie page scripts cannot read (v1
   * only; the default in browsers). `'storage'`: the client keeps it in `storage` (the default elsewhere).
   */
  refreshToken?: 'cookie' | 'storage';
  /** Where a `'storage'` client keeps the refresh token. Default: memory, for the client's lifetime. */
  storage?: TokenStorage;
  /** The storage key. Default `'latchkey.refreshToken'`. */
  storageKey?: string;
  /** Called once when a session this client had is over: refresh refused, revoked, logout. Never on a network error or a 5xx. */
  onSessionEnd?: (reason: SessionEndReason) => void;
  /** The fetch to use. Default: the global fetch. */
  fetch?: Fetch;
  /** Fetch's `credentials`. Default `'same-origin'`. */
  credentials?: Credentials;
  /** Refresh this many seconds before the access token expires (at most a quarter of its lifetime). Default 30. */
  refreshAheadSeconds?: number;
  /**
   * Coordinate refreshes with other tabs (Web Locks + BroadcastChannel), under this name when a
   * string. Default: on in cookie mode, where tabs share one refresh token; off otherwise.
   */
  tabs?: boolean | string;
}

type SecondStep = { requires2FA: true } | { mfa_required: true };
type WithoutRefreshToken<T> = T extends unknown ? Omit<T, 'refreshToken' | 'refresh_token'> : never;
type SessionRoute = 'login' | 'register' | 'verifyTwoFactor' | 'reauthenticate' | 'changePassword';

/** A new session's answer on surface `S`, without the refresh token (the client keeps it). */
export type SessionAnswer<S extends Surface, R extends SessionRoute = 'login'> = WithoutRefreshToken<
  Exclude<Answer<RoutePath<S, R>, 'post'>, SecondStep>
>;

/** The outcome of the password step: signed in, or a second factor to verify with verifyTwoFactor. */
export type LoginResult<S extends Surface> =
  | { status: 'signed-in'; answer: SessionAnswer<S> }
  | { status: 'two-factor'; pendingToken: string };

/** What `request` sends besides the method and path. */
export interface RequestOptions<P extends Path, M extends MethodOf<P>> {
  /** Values for the path's `{name}` parameters. */
  params?: Record<string, string>;
  query?: Query<P, M>;
  body?: RequestBody<P, M>;
  /** Send the session's access token (refreshing it as needed). Default true. */
  auth?: boolean;
}

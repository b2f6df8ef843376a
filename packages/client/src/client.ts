import type { Answer, MethodOf, Path, RequestBody } from './contract.js';
import type { ClientOptions, LoginResult, RequestOptions, SessionAnswer } from './options.js';
import { LatchkeyError } from './errors.js';
import {
  type CallContext,
  type KeyCalls,
  keyCalls,
  type SessionCalls,
  sessionCalls,
  type TokenCalls,
  tokenCalls,
  type TwoFactorCalls,
  twoFactorCalls,
} from './resources.js';
import { fillPath, ROUTES, type RouteAnswer, type RoutePath, type Surface } from './routes.js';
import { Session } from './session.js';
import { memoryStorage, type TokenStorage } from './storage.js';
import { Tabs } from './tabs.js';
import { type Call, type Credentials, type Fetch, send } from './transport.js';

// 401 codes meaning the access token or the session is unusable: sign in again.
const SESSION_ENDING = new Set([
  'INVALID_TOKEN',
  'TOKEN_REVOKED',
  'SESSION_REVOKED',
  'WRONG_ENVIRONMENT',
  'INVALID_REFRESH_TOKEN',
  'REFRESH_TOKEN_REUSED',
]);

function isBrowser(): boolean {
  const scope = globalThis as { window?: unknown; document?: unknown };
  return scope.window !== undefined && scope.document !== undefined;
}

function unauthorizedCode(error: unknown): string | null {
  return error instanceof LatchkeyError && error.status === 401 ? error.code : null;
}

function field(answer: unknown, ...names: string[]): unknown {
  const record = (answer ?? {}) as Record<string, unknown>;
  for (const name of names) if (record[name] !== undefined) return record[name];
  return undefined;
}

function accessTokenOf(answer: unknown): string {
  const token = field(answer, 'token', 'access_token');
  if (typeof token !== 'string') throw new TypeError('the server answered a session without an access token');
  return token;
}

/** A client of one Latchkey server: see packages/client/README.md. */
export class LatchkeyClient<S extends Surface = 'v1'> {
  readonly surface: S;
  private readonly baseUrl: string;
  private readonly cookieMode: boolean;
  private readonly storage: TokenStorage;
  private readonly storageKey: string;
  private readonly fetcher: Fetch;
  private readonly credentials: Credentials;
  private readonly tabs: Tabs | null;
  private readonly session: Session;
  private readonly routes: (typeof ROUTES)[S];

  constructor(options: ClientOptions<S> = {}) {
    this.surface = options.surface ?? ('v1' as S);
    if (this.surface !== 'v1' && this.surface !== 'flat') throw new TypeError('surface: must be "v1" or "flat"');
    this.routes = ROUTES[this.surface];
    if (options.baseUrl === undefined && !isBrowser())
      throw new TypeError('baseUrl: required outside a browser (e.g. "http://127.0.0.1:3000")');
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    const mode =
      options.refreshToken ?? (isBrowser() && this.surface === 'v1' && !options.storage ? 'cookie' : 'storage');
    if (mode === 'cookie' && this.surface !== 'v1')
      throw new TypeError('refreshToken: "cookie" works on the v1 surface only; use "storage" with surface "flat"');
    this.cookieMode = mode === 'cookie';
    this.storage = options.storage ?? memoryStorage();
    this.storageKey = options.storageKey ?? 'latchkey.refreshToken';
    const globalFetch = globalThis.fetch?.bind(globalThis);
    this.fetcher = options.fetch ?? globalFetch;
    if (typeof this.fetcher !== 'function') throw new TypeError('fetch: no global fetch here; pass one');
    this.credentials = options.credentials ?? 'same-origin';
    const tabs = options.tabs ?? this.cookieMode;
    this.tabs = tabs
      ? new Tabs(typeof tabs === 'string' ? tabs : `latchkey:${this.baseUrl}`, {
          token: (token) => this.session.adopt(token),
          ended: (reason) => void this.session.end(reason),
        })
      : null;
    this.session = new Session({
      refresh: () => this.refreshOverHttp(),
      forget: async () => {
        if (!this.cookieMode) await this.storage.remove(this.storageKey);
      },
      onSessionEnd: options.onSessionEnd,
      holdsRefreshToken: !this.cookieMode,
      refreshAheadSeconds: options.refreshAheadSeconds ?? 30,
      now: () => Date.now(),
      tabs: this.tabs,
    });
    const context: CallContext<S> = {
      routes: this.routes,
      cookieMode: this.cookieMode,
      authed: (call) => this.authed(call),
      ownSessionId: () => this.session.sid,
      endHere: () => this.session.endEverywhere('logout'),
    };
    this.sessions = sessionCalls(context);
    this.tokens = tokenCalls(context);
    this.keys = keyCalls(context);
    this.twoFactor = twoFactorCalls(context);
  }

  /** Signs in with a password. With two-factor on, finish with verifyTwoFactor(pendingToken, code). */
  async login(email: string, password: string): Promise<LoginResult<S>> {
    const answer = await this.post(this.routes.login, { email, password }, { cookieMode: this.cookieMode });
    if (field(answer, 'requires2FA', 'mfa_required') === true)
      return { status: 'two-factor', pendingToken: String(field(answer, 'pendingToken', 'mfa_token')) };
    return { status: 'signed-in', answer: (await this.take(answer, false)) as SessionAnswer<S> };
  }

  /** The second login step: a TOTP code or a recovery code. */
  async verifyTwoFactor(pendingToken: string, code: string): Promise<SessionAnswer<S, 'verifyTwoFactor'>> {
    const body = this.surface === 'v1' ? { pendingToken, code } : { mfa_token: pendingToken, code };
    const answer = await this.post(this.routes.verifyTwoFactor, body, { cookieMode: this.cookieMode });
    return this.take(answer, false);
  }

  /** Creates an account (when the server allows sign-up) and signs in. */
  async register(email: string, password: string): Promise<SessionAnswer<S, 'register'>> {
    const answer = await this.post(this.routes.register, { email, password }, { cookieMode: this.cookieMode });
    return this.take(answer, false);
  }

  /**
   * Resumes a session from the refresh cookie or the stored refresh token (at start-up, after a
   * reload). Resolves false when there is none; rejects when the server could not be asked.
   */
  async restore(): Promise<boolean> {
    return (await this.session.usable()) !== null;
  }

  /** Ends the session on the server, then here and in the other tabs (onSessionEnd('logout')). */
  async logout(): Promise<void> {
    try {
      await this.authed({ method: 'post', path: this.routes.logout, cookieMode: this.cookieMode });
    } catch (error) {
      // 401: the session had already ended, which is what logging out wants.
      if (unauthorizedCode(error) === null) throw error;
    }
    await this.session.endEverywhere('logout');
  }

  /** The signed-in user. */
  me(): Promise<RouteAnswer<S, 'me', 'get'>> {
    return this.authed({ method: 'get', path: this.routes.me }) as Promise<RouteAnswer<S, 'me', 'get'>>;
  }

  /**
   * Step-up after a RecentLoginRequiredError: proves the password (and a code with two-factor on)
   * again. The server replaces the session with one whose login is fresh; retry the action after.
   */
  async reauthenticate(password: string, code?: string): Promise<SessionAnswer<S, 'reauthenticate'>> {
    const body = code === undefined ? { password } : { password, code };
    const answer = await this.authed({
      method: 'post',
      path: this.routes.reauthenticate,
      body,
      cookieMode: this.cookieMode,
    });
    return this.take(answer, true);
  }

  /** Changes the password (the surface's body); a new session replaces this one. */
  async changePassword(
    change: RequestBody<RoutePath<S, 'changePassword'>, 'post'>,
  ): Promise<SessionAnswer<S, 'changePassword'>> {
    const answer = await this.authed({
      method: 'post',
      path: this.routes.changePassword,
      body: change,
      cookieMode: this.cookieMode,
    });
    return this.take(answer, true);
  }

  /** The sessions (signed-in devices) of the user. */
  readonly sessions: SessionCalls<S>;
  /** Personal access tokens (on /api/v1 whatever the surface). */
  readonly tokens: TokenCalls;
  /** The ingest API key (on /api whatever the surface). */
  readonly keys: KeyCalls;
  /** Two-factor (TOTP) management. */
  readonly twoFactor: TwoFactorCalls<S>;

  /** Any route of the OpenAPI document, typed by it: `request('get', '/api/v1/agents', {query: {limit: 10}})`. */
  request<P extends Path, M extends MethodOf<P>>(
    method: M,
    path: P,
    options: RequestOptions<P, M> = {},
  ): Promise<Answer<P, M>> {
    const call: Call = {
      method,
      path: fillPath(path, options.params),
      query: options.query as Record<string, unknown> | undefined,
      body: options.body,
    };
    return (options.auth === false ? this.exchange(call) : this.authed(call)) as Promise<Answer<P, M>>;
  }

  /** A usable access token (refreshed when about to expire), to call a resource server with; null without a session. */
  getAccessToken(): Promise<string | null> {
    return this.session.usable();
  }

  /** Stops listening to other tabs. */
  close(): void {
    this.tabs?.close();
  }

  private exchange(call: Call): Promise<unknown> {
    return send(this.fetcher, this.baseUrl, this.credentials, call);
  }

  private post(path: string, body: unknown, options: { cookieMode: boolean }): Promise<unknown> {
    return this.exchange({ method: 'post', path, body, cookieMode: options.cookieMode });
  }

  /**
   * A call with the session's access token. On 401 TOKEN_EXPIRED it renews the token (one refresh
   * for all waiting calls) and retries once; so it does on TOKEN_REVOKED, since another tab may have
   * replaced the session (a step-up, a password change) and its refresh token is in the shared
   * cookie or storage. A 401 that means the session is unusable ends it.
   */
  private async authed(call: Call): Promise<unknown> {
    const used = await this.session.usable();
    try {
      return await this.exchange({ ...call, token: used });
    } catch (error) {
      const code = unauthorizedCode(error);
      if (code !== 'TOKEN_EXPIRED' && code !== 'TOKEN_REVOKED') {
        await this.endIfUnusable(error, used);
        throw error;
      }
      const renewed = await this.session.renew(used, code === 'TOKEN_EXPIRED' ? 'expired' : 'revoked');
      if (renewed === null) throw error;
      try {
        return await this.exchange({ ...call, token: renewed });
      } catch (retryError) {
        await this.endIfUnusable(retryError, renewed, true);
        throw retryError;
      }
    }
  }

  private async endIfUnusable(error: unknown, used: string | null, retried = false): Promise<void> {
    const code = unauthorizedCode(error);
    if (code === null || used === null || this.session.token !== used) return;
    if (SESSION_ENDING.has(code) || (retried && code === 'TOKEN_EXPIRED')) await this.session.end('revoked');
  }

  /** Holds a new session from `answer`: the access token here, the refresh token in storage (unless it is a cookie). */
  private async take<T>(answer: unknown, replacing: boolean): Promise<T> {
    const record = { ...(answer as Record<string, unknown>) };
    const access = accessTokenOf(record);
    const refresh = field(record, 'refreshToken', 'refresh_token');
    if (!this.cookieMode && typeof refresh === 'string') await this.storage.set(this.storageKey, refresh);
    if (replacing) this.session.replace(access);
    else this.session.hold(access);
    delete record.refreshToken;
    delete record.refresh_token;
    return record as T;
  }

  /** One refresh over HTTP: the new access token, or null when there is no stored refresh token. */
  private async refreshOverHttp(): Promise<string | null> {
    const path = this.routes.refresh;
    if (this.cookieMode) {
      return accessTokenOf(await this.post(path, {}, { cookieMode: true }));
    }
    const stored = await this.storage.get(this.storageKey);
    if (!stored) return null;
    const body = this.surface === 'v1' ? { refreshToken: stored } : { refresh_token: stored };
    const answer = await this.post(path, body, { cookieMode: false });
    // The flat surface keeps its refresh token unless the server rotates them.
    const next = field(answer, 'refreshToken', 'refresh_token');
    if (typeof next === 'string') await this.storage.set(this.storageKey, next);
    return accessTokenOf(answer);
  }
}

/** A client of one Latchkey server (see ClientOptions). */
export function createClient<S extends Surface = 'v1'>(options: ClientOptions<S> = {}): LatchkeyClient<S> {
  return new LatchkeyClient(options);
}

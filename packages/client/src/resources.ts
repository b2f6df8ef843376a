import type { Answer, RequestBody } from './contract.js';
import { LatchkeyError } from './errors.js';
import { fillPath, ROUTES, type RouteAnswer, type Surface } from './routes.js';
import type { Call } from './transport.js';

/** What the call groups need from their client. */
export interface CallContext<S extends Surface> {
  routes: (typeof ROUTES)[S];
  cookieMode: boolean;
  authed(call: Call): Promise<unknown>;
  /** The session id of the client's access token. */
  ownSessionId(): string | undefined;
  /** Ends the client's session here and in its other tabs, as a logout. */
  endHere(): Promise<void>;
}

/** The sessions (signed-in devices) of the user. */
export function sessionCalls<S extends Surface>(context: CallContext<S>) {
  return {
    list: (): Promise<RouteAnswer<S, 'sessions', 'get'>> =>
      context.authed({ method: 'get', path: context.routes.sessions }) as never,
    /** Revokes one session; revoking this client's own ends it here too (onSessionEnd('logout')). */
    revoke: async (id: string): Promise<RouteAnswer<S, 'session', 'delete'>> => {
      const answer = await context.authed({ method: 'delete', path: fillPath(context.routes.session, { id }) });
      if (id === context.ownSessionId()) await context.endHere();
      return answer as never;
    },
    /** Signs out everywhere, this session included (onSessionEnd('logout')). */
    revokeAll: async (): Promise<RouteAnswer<S, 'sessions', 'delete'>> => {
      const answer = await context.authed({
        method: 'delete',
        path: context.routes.sessions,
        cookieMode: context.cookieMode,
      });
      await context.endHere();
      return answer as never;
    },
  };
}

/** Personal access tokens, on /api/v1 whatever the surface. */
export function tokenCalls(context: CallContext<Surface>) {
  return {
    list: (): Promise<Answer<'/api/v1/tokens', 'get'>> =>
      context.authed({ method: 'get', path: ROUTES.v1.tokens }) as never,
    /** Needs a recent login. The answer carries the secret once. */
    create: (
      name: string,
      scopes: RequestBody<'/api/v1/tokens', 'post'>['scopes'],
    ): Promise<Answer<'/api/v1/tokens', 'post'>> =>
      context.authed({ method: 'post', path: ROUTES.v1.tokens, body: { name, scopes } }) as never,
    revoke: (id: string): Promise<Answer<'/api/v1/tokens/{id}', 'delete'>> =>
      context.authed({ method: 'delete', path: fillPath(ROUTES.v1.token, { id }) }) as never,
  };
}

/** The ingest API key, on /api whatever the surface. */
export function keyCalls(context: CallContext<Surface>) {
  return {
    /** The current key, or null when there is none. */
    get: async (): Promise<Answer<'/api/settings/api-key', 'get'> | null> => {
      try {
        return (await context.authed({ method: 'get', path: ROUTES.flat.key })) as never;
      } catch (error) {
        if (error instanceof LatchkeyError && error.code === 'API_KEY_NOT_FOUND') return null;
        throw error;
      }
    },
    /** Needs a recent login. `replace` replaces an existing key, which stops working at once. */
    create: (options: { replace?: boolean } = {}): Promise<Answer<'/api/settings/api-key', 'post'>> =>
      context.authed({
        method: 'post',
        path: ROUTES.flat.key,
        body: options.replace ? { replace: true } : {},
      }) as never,
    revoke: (): Promise<Answer<'/api/settings/api-key', 'delete'>> =>
      context.authed({ method: 'delete', path: ROUTES.flat.key }) as never,
  };
}

/** Two-factor (TOTP) management. */
export function twoFactorCalls<S extends Surface>(context: CallContext<S>) {
  return {
    /** Needs a recent login. Starts setup: the secret and its QR code. */
    setup: (): Promise<RouteAnswer<S, 'totpSetup', 'post'>> =>
      context.authed({ method: 'post', path: context.routes.totpSetup }) as never,
    /** Turns two-factor on with a code from the app; the answer has the recovery codes, once. */
    enable: (code: string): Promise<RouteAnswer<S, 'totpVerifySetup', 'post'>> =>
      context.authed({ method: 'post', path: context.routes.totpVerifySetup, body: { code } }) as never,
    disable: (code: string, password: string): Promise<RouteAnswer<S, 'totpDisable', 'post'>> =>
      context.authed({ method: 'post', path: context.routes.totpDisable, body: { code, password } }) as never,
    /** Needs a recent login. Replaces the recovery codes. */
    regenerateRecoveryCodes: (code: string): Promise<RouteAnswer<S, 'recoveryCodes', 'post'>> =>
      context.authed({ method: 'post', path: context.routes.recoveryCodes, body: { code } }) as never,
  };
}

export type SessionCalls<S extends Surface> = ReturnType<typeof sessionCalls<S>>;
export type TokenCalls = ReturnType<typeof tokenCalls>;
export type KeyCalls = ReturnType<typeof keyCalls>;
export type TwoFactorCalls<S extends Surface> = ReturnType<typeof twoFactorCalls<S>>;

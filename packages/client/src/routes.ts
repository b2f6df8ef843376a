import type { Answer, Path } from './contract.js';

/** Which of the server's two API surfaces a client speaks: `/api/v1` (camelCase) or `/api` (snake_case). */
export type Surface = 'v1' | 'flat';

/**
 * Where each call goes on each surface. Personal access tokens exist on /api/v1 only and the
 * ingest key on /api only, so those calls go there whichever surface the client speaks.
 */
export const ROUTES = {
  v1: {
    register: '/api/v1/auth/register',
    login: '/api/v1/auth/login',
    verifyTwoFactor: '/api/v1/auth/verify-2fa',
    refresh: '/api/v1/auth/refresh',
    logout: '/api/v1/auth/logout',
    me: '/api/v1/auth/me',
    sessions: '/api/v1/auth/sessions',
    session: '/api/v1/auth/sessions/{id}',
    reauthenticate: '/api/v1/auth/reauthenticate',
    changePassword: '/api/v1/auth/change-password',
    totpSetup: '/api/v1/auth/2fa/setup',
    totpVerifySetup: '/api/v1/auth/2fa/verify-setup',
    totpDisable: '/api/v1/auth/2fa/disable',
    recoveryCodes: '/api/v1/auth/2fa/recovery-codes',
    tokens: '/api/v1/tokens',
    token: '/api/v1/tokens/{id}',
    key: '/api/settings/api-key',
  },
  flat: {
    register: '/api/auth/register',
    login: '/api/auth/login',
    verifyTwoFactor: '/api/auth/mfa/verify',
    refresh: '/api/auth/refresh',
    logout: '/api/auth/logout',
    me: '/api/auth/me',
    sessions: '/api/auth/sessions',
    session: '/api/auth/sessions/{id}',
    reauthenticate: '/api/auth/reauthenticate',
    changePassword: '/api/auth/change-password',
    totpSetup: '/api/auth/mfa/setup',
    totpVerifySetup: '/api/auth/mfa/verify-setup',
    totpDisable: '/api/auth/mfa/disable',
    recoveryCodes: '/api/auth/mfa/recovery-codes',
    tokens: '/api/v1/tokens',
    token: '/api/v1/tokens/{id}',
    key: '/api/settings/api-key',
  },
} as const satisfies Record<Surface, Record<string, Path>>;

export type Route = keyof (typeof ROUTES)['v1'];

/** The path of `route` on surface `S`. */
export type RoutePath<S extends Surface, R extends Route> = (typeof ROUTES)[S][R];

/** The answer of `route` on surface `S`. */
export type RouteAnswer<S extends Surface, R extends Route, M extends 'get' | 'post' | 'delete'> = Answer<
  RoutePath<S, R>,
  M
>;

/** `template` with each `{name}` replaced by its URL-encoded value from `params`. */
export function fillPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`path parameter "${name}" is missing for ${template}`);
    return encodeURIComponent(value);
  });
}

import { randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { ROLES, type Role } from '../users/user.js';
import type { Clock } from '../clock.js';
import type { ErrorCode } from '../errors.js';
import { sha256Hex } from '../digests.js';
import { SIGNING_ALG, type KeyRing } from './signing-keys.js';

/**
 * Each token type has its own `typ` header (RFC 8725 section 3.11) and its own audience, so one can
 * never be verified as another.
 */
export const TOKEN_TYPES = {
  access: 'at+jwt', // RFC 9068
  refresh: 'refresh+jwt',
  pending: '2fa-pending+jwt',
} as const;

export type TokenKind = keyof typeof TOKEN_TYPES;

export interface AccessClaims {
  sub: string;
  sid: string;
  jti: string;
  role: Role;
  plan: string;
  iat: number;
  exp: number;
  /** When the session's login happened, epoch seconds (`auth_time`, RFC 9068); 0 for tokens signed before the claim existed. */
  authTime: number;
}

/** A client-credentials access token (RFC 9068): the client is the subject; no user, no session. */
export interface ClientAccessClaims {
  clientId: string;
  jti: string;
  scopes: string[];
  iat: number;
  exp: number;
}

export interface RefreshClaims {
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
}

export interface PendingClaims {
  sub: string;
  jti: string;
  exp: number;
}

export type VerifyResult<T> = { ok: true; claims: T } | { ok: false; code: ErrorCode; message?: string };

export interface TokenSettings {
  issuer: string;
  audience: string;
  /** The issuer of tokens signed before it was a URL, accepted until they expire. */
  legacyIssuer: string;
  env: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  pendingTokenTtlSeconds: number;
}

// Bounds the verified-token cache: about 1 KB an entry, so at most ~10 MB.
const CACHE_MAX_ENTRIES = 10_000;
const LEGACY_ISSUER_PREFIX = 'latchkey:';
// How far ahead of this instance's clock another instance's may run.
const MAX_CLOCK_SKEW_SECONDS = 60;
// The LATCHKEY_ENV rule. The foreign name is unverified input that is echoed into the message and
// the WWW-Authenticate header: anything else (quotes, CR/LF, non-ASCII) is just an invalid token.
const ENV_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

export function newJti(): string {
  return randomBytes(16).toString('base64url');
}

/** Signs and verifies Latchkey's JWTs; the algorithm, issuer, audience and typ are pinned. */
export class TokenService {
  // Signature checks cost more than the rest of a request; a token verified once is remembered
  // (by hash) until it expires. Revocation is not cached: the denylist is checked on every request.
  private readonly verified = new Map<string, AccessClaims | ClientAccessClaims>();

  constructor(
    private readonly keys: KeyRing,
    private readonly settings: TokenSettings,
    private readonly clock: Clock,
  ) {}

  private lifetimeOf(kind: TokenKind): number {
    if (kind === 'access') return this.settings.accessTokenTtlSeconds;
    return kind === 'refresh' ? this.settings.refreshTokenTtlSeconds : this.settings.pendingTokenTtlSeconds;
  }

  private audienceOf(kind: TokenKind): string {
    return kind === 'access' ? this.settings.audience : `${this.settings.issuer}/${kind}`;
  }

  private legacyAudienceOf(kind: TokenKind): string {
    return `${this.settings.legacyIssuer}:${kind === 'access' ? 'api' : kind}`;
  }

  private async sign(
    kind: TokenKind,
    claims: JWTPayload,
    iat: number,
    ttlSeconds: number,
  ): Promise<{ token: string; exp: number }> {
    const { kid, privateKey } = this.keys.signingKey();
    const exp = iat + ttlSeconds;
    // `env` names the environment in the wrong-environment message (the issuer is a URL).
    const token = await new SignJWT({ ...claims, env: this.settings.env })
      .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: TOKEN_TYPES[kind] })
      .setIssuer(this.settings.issuer)
      .setAudience(this.audienceOf(kind))
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(privateKey);
    return { token, exp };
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  signAccess(claims: {
    sub: string;
    sid: string;
    role: Role;
    plan: string;
    authTime: number;
  }): Promise<{ token: string; jti: string; exp: number }> {
    const jti = newJti();
    const iat = this.nowSeconds();
    const { authTime, ...rest } = claims;
    // The login was stamped by the clock of the instance that handled it, which may run ahead of
    // this one's; a token whose login came after its own issue would be refused everywhere.
    const loginTime = Math.min(authTime, iat);
    return this.sign('access', { ...rest, auth_time: loginTime, jti }, iat, this.settings.accessTokenTtlSeconds).then(
      (t) => ({ ...t, jti }),
    );
  }

  /**
   * A client-credentials access token. `iat` is never earlier than `notBefore` (epoch seconds): a
   * verifier refuses a client's tokens issued before its last secret rotation, so one issued in
   * the second of a rotation is dated a moment later rather than born refused.
   */
  signClientAccess(
    claims: { clientId: string; scopes: string[] },
    notBefore: number,
  ): Promise<{ token: string; jti: string; exp: number }> {
    const jti = newJti();
    const iat = Math.max(this.nowSeconds(), notBefore);
    const payload = { sub: claims.clientId, client_id: claims.clientId, scope: claims.scopes.join(' '), jti };
    return this.sign('access', payload, iat, this.settings.accessTokenTtlSeconds).then((t) => ({ ...t, jti }));
  }

  signRefresh(claims: { sub: string; sid: string; jti: string }): Promise<{ token: string; exp: number }> {
    return this.sign('refresh', claims, this.nowSeconds(), this.settings.refreshTokenTtlSeconds);
  }

  signPending(claims: { sub: string; jti: string }): Promise<{ token: string; exp: number }> {
    return this.sign('pending', claims, this.nowSeconds(), this.settings.pendingTokenTtlSeconds);
  }

  /** Verifies an access token: a user's (from a login) or a client's (client credentials). */
  async verifyAccess(token: string): Promise<VerifyResult<AccessClaims | ClientAccessClaims>> {
    const cacheKey = sha256Hex(token);
    const cached = this.verified.get(cacheKey);
    if (cached) {
      if (cached.exp > this.nowSeconds()) return { ok: true, claims: cached };
      this.verified.delete(cacheKey);
    }
    const result = await this.verify(token, 'access');
    if (!result.ok) return result;
    const claims = 'client_id' in result.claims ? clientClaims(result.claims) : userClaims(result.claims);
    if (!claims) return { ok: false, code: 'INVALID_TOKEN' };
    if (this.verified.size >= CACHE_MAX_ENTRIES) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(cacheKey, claims);
    return { ok: true, claims };
  }

  async verifyRefresh(token: string): Promise<VerifyResult<RefreshClaims>> {
    const result = await this.verify(token, 'refresh');
    if (!result.ok) return result;
    const { sub, sid, jti, iat, exp } = result.claims;
    if (typeof sid !== 'string') return { ok: false, code: 'INVALID_TOKEN' };
    return { ok: true, claims: { sub: sub!, sid, jti: jti!, iat: iat!, exp: exp! } };
  }

  async verifyPending(token: string): Promise<VerifyResult<PendingClaims>> {
    const result = await this.verify(token, 'pending');
    if (!result.ok) return result;
    return { ok: true, claims: { sub: result.claims.sub!, jti: result.claims.jti!, exp: result.claims.exp! } };
  }

  private async verify(token: string, kind: TokenKind): Promise<VerifyResult<JWTPayload>> {
    let typ: unknown;
    let issuer: unknown;
    let env: unknown;
    try {
      typ = decodeProtectedHeader(token).typ;
      ({ iss: issuer, env } = decodeJwt(token));
    } catch {
      return { ok: false, code: 'INVALID_TOKEN' };
    }
    // These checks only choose the error message; the token is refused either way.
    const other =
      typeof env === 'string'
        ? env
        : typeof issuer === 'string' && issuer.startsWith(LEGACY_ISSUER_PREFIX)
          ? issuer.slice(LEGACY_ISSUER_PREFIX.length)
          : undefined;
    if (other !== undefined && other !== this.settings.env && ENV_NAME.test(other)) {
      return {
        ok: false,
        code: 'WRONG_ENVIRONMENT',
        message: `Token was issued for the '${other}' environment, but this server is '${this.settings.env}'; tokens are signed per environment`,
      };
    }
    if (typ !== TOKEN_TYPES[kind]) {
      if (kind === 'access' && typ === TOKEN_TYPES.refresh) return { ok: false, code: 'REFRESH_TOKEN_AS_BEARER' };
      if (kind === 'access' && typ === TOKEN_TYPES.pending) return { ok: false, code: 'PENDING_TOKEN_AS_BEARER' };
      return { ok: false, code: 'INVALID_TOKEN' };
    }
    try {
      const { payload } = await jwtVerify(
        token,
        async (header) => {
          const key = await this.keys.publicKey(header.kid);
          if (!key) throw new errors.JWKSNoMatchingKey();
          return key;
        },
        {
          algorithms: [SIGNING_ALG],
          issuer: [this.settings.issuer, this.settings.legacyIssuer],
          audience: [this.audienceOf(kind), this.legacyAudienceOf(kind)],
          typ: TOKEN_TYPES[kind],
          currentDate: new Date(this.clock()),
          requiredClaims: ['sub', 'jti', 'iat', 'exp'],
        },
      );
      // We never sign a token that lives longer than its type's lifetime, or that was issued later
      // than now (give or take instances' clock skew), or that pairs the URL issuer with the legacy
      // audience or the other way round: one that claims to was forged with a leaked key, and must
      // not outlive that key's retirement in the verify cache.
      const audience = payload.iss === this.settings.legacyIssuer ? this.legacyAudienceOf(kind) : this.audienceOf(kind);
      const forged =
        payload.exp! - payload.iat! > this.lifetimeOf(kind) ||
        payload.iat! > this.nowSeconds() + MAX_CLOCK_SKEW_SECONDS ||
        payload.aud !== audience;
      if (forged) return { ok: false, code: 'INVALID_TOKEN' };
      return { ok: true, claims: payload };
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        return { ok: false, code: kind === 'access' ? 'TOKEN_EXPIRED' : 'INVALID_TOKEN' };
      return { ok: false, code: 'INVALID_TOKEN' };
    }
  }
}

function userClaims(payload: JWTPayload): AccessClaims | null {
  const { sub, sid, jti, role, plan, exp, iat, auth_time: authTime = 0 } = payload;
  if (typeof sid !== 'string' || typeof plan !== 'string' || !ROLES.includes(role as Role)) return null;
  // A login cannot happen after the token it led to was issued.
  if (typeof authTime !== 'number' || !Number.isSafeInteger(authTime) || authTime < 0 || authTime > iat!) return null;
  return { sub: sub!, sid, jti: jti!, role: role as Role, plan, iat: iat!, exp: exp!, authTime };
}

function clientClaims(payload: JWTPayload): ClientAccessClaims | null {
  const { sub, client_id: clientId, scope, jti, iat, exp } = payload;
  if (typeof clientId !== 'string' || clientId !== sub || typeof scope !== 'string' || 'sid' in payload) return null;
  return { clientId, jti: jti!, scopes: scope === '' ? [] : scope.split(' '), iat: iat!, exp: exp! };
}

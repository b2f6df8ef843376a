import { performance } from 'node:perf_hooks';
import { createRemoteJWKSet, customFetch, errors, type JWTPayload, jwtVerify } from 'jose';
import { VerifyError } from './errors.js';
import type { Principal } from './principal.js';

/** An access token that verified: what the revocation checks need, and the principal it makes. */
export type VerifiedAccessToken =
  | { kind: 'user'; jti: string; sid: string; sub: string; iat: number; exp: number; principal: Principal }
  | { kind: 'client'; jti: string; clientId: string; iat: number; exp: number; principal: Principal };

export interface AccessTokenSettings {
  issuer: string;
  audience: readonly string[];
  algorithms: readonly string[];
  clockToleranceSeconds: number;
  maxLifetimeSeconds: number;
  /** Every scope Latchkey has: what a user's token carries. */
  scopes: readonly string[];
}

// RFC 9068 section 2.1: access tokens carry this `typ`; Latchkey's refresh and 2FA tokens have others.
const ACCESS_TOKEN_TYPE = 'at+jwt';
// How far ahead of this clock Latchkey's may run: a token issued later is a forgery (Latchkey's own rule).
const MAX_FUTURE_IAT_SECONDS = 60;

/** The key set failed to load (Latchkey unreachable): not the token's fault. */
class KeySetUnavailable extends Error {}

// An unknown kid (a rotated key) reloads the JWKS, but at most this often, so made-up kids cannot
// turn every request into a fetch (ms).
const UNKNOWN_KID_RELOAD_MS = 1_000;

function aboutTheToken(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKInvalid
  );
}

/**
 * The JWKS: jose refetches it every 10 minutes (so retired keys stop verifying), and an unknown
 * `kid` reloads it at most once a second. Only unknown-kid reloads count against that throttle
 * (Latchkey's own key ring follows the same rule): a periodic reload a moment before must not leave
 * a just-rotated key unverifiable. Requests that meet the new kid meanwhile wait for the reload.
 */
export function remoteKeySet(jwksUri: string, fetchImpl: typeof fetch) {
  const keySet = createRemoteJWKSet(new URL(jwksUri), {
    // The unknown-kid reload is ours (below), not jose's.
    cooldownDuration: Number.POSITIVE_INFINITY,
    [customFetch]: fetchImpl,
  });
  let reloadedAt = Number.NEGATIVE_INFINITY;
  let reloading: Promise<void> | undefined;
  const unavailable = (cause: unknown) => new KeySetUnavailable('the JWKS could not be fetched', { cause });
  return async (...args: Parameters<typeof keySet>) => {
    try {
      return await keySet(...args);
    } catch (error) {
      if (!aboutTheToken(error)) throw unavailable(error);
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      if (!reloading) {
        if (performance.now() - reloadedAt < UNKNOWN_KID_RELOAD_MS) throw error;
        reloadedAt = performance.now();
        reloading = keySet.reload().finally(() => (reloading = undefined));
      }
      await reloading.catch((cause: unknown) => {
        throw unavailable(cause);
      });
    }
    try {
      return await keySet(...args);
    } catch (error) {
      throw aboutTheToken(error) ? error : unavailable(error);
    }
  };
}

/** Verifies an RFC 9068 access token of Latchkey: signature, `alg`, `typ`, `iss`, `aud`, `exp`, and its claims' shape. */
export async function verifyAccessToken(
  token: string,
  keySet: ReturnType<typeof remoteKeySet>,
  settings: AccessTokenSettings,
): Promise<VerifiedAccessToken> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keySet, {
      algorithms: [...settings.algorithms],
      typ: ACCESS_TOKEN_TYPE,
      issuer: settings.issuer,
      audience: [...settings.audience],
      clockTolerance: settings.clockToleranceSeconds,
      requiredClaims: ['sub', 'jti', 'iat', 'exp'],
    }));
  } catch (error) {
    if (error instanceof KeySetUnavailable) {
      throw new VerifyError('AUTH_UNAVAILABLE', { message: 'Latchkey signing keys are unavailable', cause: error });
    }
    if (error instanceof errors.JWTExpired) throw new VerifyError('TOKEN_EXPIRED', { cause: error });
    const reason = error instanceof errors.JOSEError ? `: ${error.message}` : '';
    throw new VerifyError('INVALID_TOKEN', { message: `Invalid token${reason}`, cause: error });
  }
  const verified = claimsOf(payload, settings);
  if (!verified) throw new VerifyError('INVALID_TOKEN', { message: 'Invalid token: not a Latchkey access token' });
  return verified;
}

function claimsOf(payload: JWTPayload, settings: AccessTokenSettings): VerifiedAccessToken | null {
  const { sub, jti, iat, exp } = payload as { sub: string; jti: string; iat: number; exp: number };
  // Latchkey signs neither tokens that outlive their type nor tokens from the future: one that
  // claims to was minted with a leaked key.
  const forged =
    typeof jti !== 'string' ||
    exp - iat > settings.maxLifetimeSeconds ||
    iat > Date.now() / 1000 + MAX_FUTURE_IAT_SECONDS;
  if (forged) return null;
  if ('client_id' in payload) {
    const { client_id: clientId, scope } = payload;
    if (typeof clientId !== 'string' || clientId !== sub || typeof scope !== 'string' || 'sid' in payload) return null;
    const scopes = Object.freeze(scope === '' ? [] : scope.split(' '));
    const principal = Object.freeze({ kind: 'client', sub, scopes, clientId, tokenId: jti, expiresAt: exp } as const);
    return { kind: 'client', jti, clientId, iat, exp, principal };
  }
  const { sid, role, plan } = payload;
  if (typeof sid !== 'string' || typeof role !== 'string' || typeof plan !== 'string') return null;
  const principal = Object.freeze({
    kind: 'user',
    sub,
    scopes: settings.scopes,
    role,
    plan,
    sessionId: sid,
    tokenId: jti,
    expiresAt: exp,
  } as const);
  return { kind: 'user', jti, sid, sub, iat, exp, principal };
}

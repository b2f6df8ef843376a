import { createHash } from 'node:crypto';
import { VerifyError } from './errors.js';
import type { Principal } from './principal.js';

/** What POST /oauth/introspect answers (RFC 7662 section 2.2), as far as the verifier reads it. */
export interface IntrospectionAnswer {
  active: boolean;
  scope?: string;
  client_id?: string;
  sub?: string;
  token_type?: string;
  exp?: number;
  iss?: string;
  jti?: string;
  role?: string;
  sid?: string;
}

export interface IntrospectionSettings {
  url: string;
  authorization: string;
  issuer: string;
  fetch: typeof fetch;
  timeoutMs: number;
}

/** Asks Latchkey about `token`; AUTH_UNAVAILABLE when it cannot answer (down, 503, misconfigured client). */
export async function introspect(settings: IntrospectionSettings, token: string): Promise<IntrospectionAnswer> {
  let response: Response;
  try {
    response = await settings.fetch(settings.url, {
      method: 'POST',
      headers: {
        authorization: settings.authorization,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ token }).toString(),
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
  } catch (cause) {
    throw new VerifyError('AUTH_UNAVAILABLE', { message: 'Latchkey did not answer the introspection', cause });
  }
  const text = await response.text().catch(() => '');
  if (response.status !== 200) {
    throw new VerifyError('AUTH_UNAVAILABLE', {
      message: `Latchkey answered the introspection with ${response.status}`,
      cause: new Error(text.slice(0, 200)),
    });
  }
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch (cause) {
    throw new VerifyError('AUTH_UNAVAILABLE', { message: 'Latchkey answered the introspection with no JSON', cause });
  }
  if (typeof answer !== 'object' || answer === null || typeof (answer as { active?: unknown }).active !== 'boolean') {
    throw new VerifyError('AUTH_UNAVAILABLE', { message: 'Latchkey answered the introspection without `active`' });
  }
  return answer as IntrospectionAnswer;
}

/**
 * The principal an active answer about an opaque token describes, or null when the answer does
 * not hold together (then the token is refused). `ApiKey` is an ingest key; a Bearer answer with
 * `client_id` a client token, with `sid` a user's access token, otherwise a personal access token.
 */
export function principalOfAnswer(answer: IntrospectionAnswer, issuer: string, now: number): Principal | null {
  const { sub, jti, token_type: type, scope, exp } = answer;
  if (!answer.active || typeof sub !== 'string' || typeof jti !== 'string' || answer.iss !== issuer) return null;
  if (exp !== undefined && !(typeof exp === 'number' && exp > now)) return null;
  const scopes = typeof scope === 'string' && scope !== '' ? scope.split(' ') : [];
  const base = { sub, scopes, tokenId: jti, expiresAt: typeof exp === 'number' ? exp : null };
  if (type === 'ApiKey') return { kind: 'api_key', ...base };
  if (type !== 'Bearer') return null;
  if (typeof answer.client_id === 'string') return { kind: 'client', ...base, clientId: answer.client_id };
  const role = typeof answer.role === 'string' ? { role: answer.role } : {};
  if (typeof answer.sid === 'string') return { kind: 'user', ...base, ...role, sessionId: answer.sid };
  return { kind: 'pat', ...base, ...role };
}

/** A cached answer: the principal, or the code it was refused with. */
export type CachedAnswer =
  | { principal: Principal; refusal?: undefined }
  | { principal?: undefined; refusal: VerifyError['code'] };

/**
 * Introspection answers about opaque tokens, by SHA-256 of the token (the secrets themselves are
 * not kept), each for `ttlMs` at most; bounded, oldest out first. The revocation feed invalidates
 * entries: a hit is checked against the revoked set before it is trusted.
 */
export class AnswerCache {
  private readonly entries = new Map<string, { answer: CachedAnswer; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  static keyOf(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  get(key: string, nowMs: number): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > nowMs) return entry.answer;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, answer: CachedAnswer, nowMs: number): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { answer, until: nowMs + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

import { performance } from 'node:perf_hooks';
import { remoteKeySet, type VerifiedAccessToken, verifyAccessToken } from './access-token.js';
import { discover, type Endpoints } from './discovery.js';
import { VerifyError } from './errors.js';
import { FeedSubscription } from './feed.js';
import { AnswerCache, type IntrospectionAnswer, introspect, principalOfAnswer } from './introspection.js';
import type { Principal } from './principal.js';
import { RevokedSet } from './revoked-set.js';

export interface VerifierOptions {
  /** Latchkey's issuer: its PUBLIC_URL, exactly as its metadata names it. */
  issuer: string;
  /** The `aud` to accept; default: the resources the metadata lists (`protected_resources`, `<issuer>/api`). */
  audience?: string | string[];
  /** A client registered with `latchkey client create --introspect --revocations`. */
  clientId: string;
  clientSecret: string;
  /**
   * How long the revocation feed may be silent (heartbeats count) before the verifier stops
   * trusting it, in seconds. Keep it above Latchkey's REVOCATION_FEED_HEARTBEAT_SECONDS. Default 10.
   */
  maxStalenessSeconds?: number;
  /** While the feed is stale: check each token by introspection (default), or refuse with AUTH_UNAVAILABLE (503). */
  onStale?: 'introspect' | 'refuse';
  /** The fetch every request goes through (metadata, JWKS, feed, introspection). Default: the global fetch. */
  fetch?: typeof fetch;
  /** The JWS algorithms accepted. Default `['EdDSA']`, the one Latchkey signs with. */
  algorithms?: string[];
  /** Leeway for `exp`, in seconds. Default 0. */
  clockToleranceSeconds?: number;
  /** Tokens claiming a longer life (`exp - iat`) are refused, in seconds. Default 86400; keep it above ACCESS_TOKEN_TTL_SECONDS. */
  maxTokenLifetimeSeconds?: number;
  /** How long an introspection answer about a PAT or key is reused, in seconds; the feed invalidates it sooner. Default 60. */
  introspectionCacheSeconds?: number;
  /** Timeout of each metadata and introspection request, in ms. Default 5000. */
  requestTimeoutMs?: number;
  /** Reconnection backoff of the feed, in ms: the first delay (default 500) and the cap (default 30000). */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Told of every feed and discovery failure (the verifier recovers by itself). Default: ignored. */
  onError?: (error: Error) => void;
}

/** What the verifier knows of its connection to Latchkey. */
export interface VerifierStatus {
  /** The metadata was read. */
  discovered: boolean;
  /** The feed is connected and not silent past maxStalenessSeconds: revocations are current. */
  fresh: boolean;
  /** The last feed position applied: resumed from on reconnect. */
  lastEventId: string | undefined;
  /** Revocations held in memory. */
  revocations: number;
}

export interface Verifier {
  /**
   * The principal of an `Authorization` header (`Bearer <token>`) or a bare token; throws a
   * VerifyError otherwise. JWT access tokens are verified locally and checked against the
   * revocation feed; PATs, ingest keys and other opaque tokens by introspection, cached.
   */
  verify(authorizationOrToken: string | null | undefined): Promise<Principal>;
  /** Resolves once the feed is fresh; rejects with AUTH_UNAVAILABLE after `timeoutMs` (default 10000). */
  ready(timeoutMs?: number): Promise<void>;
  status(): VerifierStatus;
  /** Stops the feed and every timer; verify() then refuses with AUTH_UNAVAILABLE. */
  close(): Promise<void>;
}

/** Starts a verifier: it discovers the endpoints and subscribes to the revocation feed at once. */
export function createVerifier(options: VerifierOptions): Verifier {
  return new LatchkeyVerifier(options);
}

// Latchkey's tokens are well under this; a longer header is refused before any work.
const MAX_TOKEN_LENGTH = 8_192;
// A compact JWS; anything else is opaque and goes to introspection.
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;
// Bounds of the two caches: entries live until `exp` (or the introspection TTL) at most.
const MAX_CACHED = 10_000;
// After a failed discovery, requests are refused this long without asking again (ms).
const DISCOVERY_RETRY_MS = 1_000;

function positive(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!(typeof chosen === 'number' && Number.isFinite(chosen) && chosen >= 0)) {
    throw new TypeError(`createVerifier: ${name} must be a non-negative number`);
  }
  return chosen;
}

/** HTTP Basic as RFC 6749 section 2.3.1 asks: each part form-encoded first. */
function basicAuthorization(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replaceAll('%20', '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/** The token of `Bearer <token>` (the scheme is case-insensitive, RFC 7235 section 2.1), or a bare token. */
function bearerToken(input: string | null | undefined): string {
  const value = typeof input === 'string' ? input.trim() : '';
  // `Bearer ` with nothing after it, trimmed, is the scheme alone: no token either.
  if (value === '' || value.toLowerCase() === 'bearer') throw new VerifyError('NO_BEARER_TOKEN');
  const space = value.indexOf(' ');
  if (space < 0) return value;
  const token = value.slice(space + 1).trim();
  if (value.slice(0, space).toLowerCase() !== 'bearer' || token === '') {
    throw new VerifyError('NO_BEARER_TOKEN', { message: 'Expected Authorization: Bearer <token>' });
  }
  return token;
}

class LatchkeyVerifier implements Verifier {
  private readonly issuer: string;
  private readonly authorization: string;
  private readonly fetch: typeof fetch;
  private readonly maxStalenessMs: number;
  private readonly timeoutMs: number;
  private readonly revoked = new RevokedSet();
  private readonly answers: AnswerCache;
  /** Verified access tokens by the token itself, until their `exp`: a signature is checked once. */
  private readonly verified = new Map<string, VerifiedAccessToken>();
  private readonly inFlight = new Map<string, Promise<IntrospectionAnswer>>();
  private readonly feed: FeedSubscription;
  private readonly waiters = new Set<() => void>();
  private endpoints: Endpoints | undefined;
  private keySet: ReturnType<typeof remoteKeySet> | undefined;
  private discovering: Promise<Endpoints> | undefined;
  private discoveryFailedAt = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(private readonly options: VerifierOptions) {
    if (typeof options.issuer !== 'string' || !URL.canParse(options.issuer)) {
      throw new TypeError('createVerifier: issuer must be a URL');
    }
    if (!options.clientId || !options.clientSecret) {
      throw new TypeError('createVerifier: clientId and clientSecret are required');
    }
    if (options.onStale !== undefined && options.onStale !== 'introspect' && options.onStale !== 'refuse') {
      throw new TypeError("createVerifier: onStale must be 'introspect' or 'refuse'");
    }
    this.issuer = options.issuer;
    this.authorization = basicAuthorization(options.clientId, options.clientSecret);
    this.fetch = options.fetch ?? globalThis.fetch;
    this.maxStalenessMs = positive('maxStalenessSeconds', options.maxStalenessSeconds, 10) * 1000;
    this.timeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs, 5_000);
    this.answers = new AnswerCache(
      positive('introspectionCacheSeconds', options.introspectionCacheSeconds, 60) * 1000,
      MAX_CACHED,
    );
    positive('clockToleranceSeconds', options.clockToleranceSeconds, 0);
    positive('maxTokenLifetimeSeconds', options.maxTokenLifetimeSeconds, 86_400);
    this.feed = new FeedSubscription({
      url: async () => (await this.discover()).feed,
      authorization: this.authorization,
      fetch: this.fetch,
      maxSilenceMs: this.maxStalenessMs,
      initialDelayMs: positive('reconnect.initialDelayMs', options.reconnect?.initialDelayMs, 500),
      maxDelayMs: positive('reconnect.maxDelayMs', options.reconnect?.maxDelayMs, 30_000),
      onEntries: (entries) => {
        for (const entry of entries) this.revoked.add(entry);
        this.revoked.sweep(Date.now());
      },
      onLive: () => {
        for (const wake of this.waiters) wake();
      },
      onError: (error) => options.onError?.(error),
    });
  }

  async verify(authorizationOrToken: string | null | undefined): Promise<Principal> {
    const token = bearerToken(authorizationOrToken);
    if (token.length > MAX_TOKEN_LENGTH) throw new VerifyError('INVALID_TOKEN', { message: 'Token too long' });
    if (this.closed) throw new VerifyError('AUTH_UNAVAILABLE', { message: 'The verifier is closed' });
    const endpoints = this.endpoints ?? (await this.discoverForRequest());
    const fresh = this.isFresh();
    if (!fresh && this.options.onStale === 'refuse') {
      throw new VerifyError('AUTH_UNAVAILABLE', { message: 'The revocation feed is not current' });
    }
    return COMPACT_JWS.test(token)
      ? this.verifyJwt(token, endpoints, fresh)
      : this.verifyOpaque(token, endpoints, fresh);
  }

  ready(timeoutMs = 10_000): Promise<void> {
    if (this.isFresh()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(
          new VerifyError('AUTH_UNAVAILABLE', { message: `The revocation feed was not live within ${timeoutMs} ms` }),
        );
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      this.waiters.add(wake);
    });
  }

  status(): VerifierStatus {
    return {
      discovered: this.endpoints !== undefined,
      fresh: this.isFresh(),
      lastEventId: this.feed.lastEventId,
      revocations: this.revoked.size,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.feed.close();
  }

  private isFresh(): boolean {
    return !this.closed && this.feed.opened && performance.now() - this.feed.heardAt <= this.maxStalenessMs;
  }

  private async verifyJwt(token: string, endpoints: Endpoints, fresh: boolean): Promise<Principal> {
    const nowMs = Date.now();
    const now = nowMs / 1000;
    let verified = this.verified.get(token);
    if (verified && verified.exp + (this.options.clockToleranceSeconds ?? 0) <= now) {
      this.verified.delete(token);
      throw new VerifyError('TOKEN_EXPIRED');
    }
    if (!verified) {
      verified = await verifyAccessToken(token, this.keySet!, {
        issuer: this.issuer,
        audience: this.audiences(endpoints),
        algorithms: this.options.algorithms ?? ['EdDSA'],
        clockToleranceSeconds: this.options.clockToleranceSeconds ?? 0,
        maxLifetimeSeconds: this.options.maxTokenLifetimeSeconds ?? 86_400,
        scopes: endpoints.scopes,
      });
      if (this.verified.size >= MAX_CACHED) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, verified);
    }
    const refused =
      verified.kind === 'user'
        ? this.revoked.refusesUserToken(verified, now)
        : this.revoked.refusesClientToken(verified, now);
    if (refused) throw new VerifyError('TOKEN_REVOKED');
    if (!fresh) {
      // The feed may have missed a revocation: Latchkey decides, for every request until it is back.
      const answer = await this.introspectOnce(token, token, endpoints);
      if (!answer.active) throw new VerifyError('TOKEN_REVOKED');
    }
    return verified.principal;
  }

  private async verifyOpaque(token: string, endpoints: Endpoints, fresh: boolean): Promise<Principal> {
    const nowMs = Date.now();
    const now = nowMs / 1000;
    const key = AnswerCache.keyOf(token);
    const cached = this.answers.get(key, nowMs);
    let revokedSince = false;
    if (cached?.refusal) throw new VerifyError(cached.refusal);
    if (cached?.principal) {
      const { tokenId, sub } = cached.principal;
      revokedSince = this.revoked.distrusts(tokenId, sub, now);
      if (fresh && !revokedSince) return cached.principal;
      this.answers.delete(key);
    }
    const answer = await this.introspectOnce(key, token, endpoints);
    const principal = principalOfAnswer(answer, this.issuer, now);
    if (!principal) {
      // Inactive stays inactive (a revoked or unknown secret never comes back): remembered too.
      const code = revokedSince ? 'TOKEN_REVOKED' : 'INVALID_TOKEN';
      this.answers.set(key, { refusal: code }, nowMs);
      throw new VerifyError(code);
    }
    const frozen = Object.freeze({ ...principal, scopes: Object.freeze(principal.scopes) });
    // Cached only while the feed can invalidate it, and not while a revocation of it stands
    // (the answer may predate it).
    if (fresh && !this.revoked.distrusts(frozen.tokenId, frozen.sub, now))
      this.answers.set(key, { principal: frozen }, nowMs);
    return frozen;
  }

  /** One introspection request per token at a time: concurrent requests with it share the answer. */
  private introspectOnce(key: string, token: string, endpoints: Endpoints): Promise<IntrospectionAnswer> {
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = introspect(
        {
          url: endpoints.introspection,
          authorization: this.authorization,
          issuer: this.issuer,
          fetch: this.fetch,
          timeoutMs: this.timeoutMs,
        },
        token,
      ).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private audiences(endpoints: Endpoints): readonly string[] {
    const { audience } = this.options;
    if (audience !== undefined) return typeof audience === 'string' ? [audience] : audience;
    return endpoints.resources;
  }

  private discover(): Promise<Endpoints> {
    if (this.endpoints) return Promise.resolve(this.endpoints);
    this.discovering ??= discover(this.issuer, this.fetch, this.timeoutMs)
      .then((endpoints) => {
        if (this.options.audience === undefined && endpoints.resources.length === 0) {
          throw new Error('the metadata lists no protected_resources: set the audience option');
        }
        this.keySet = remoteKeySet(endpoints.jwksUri, this.fetch);
        this.endpoints = endpoints;
        return endpoints;
      })
      .catch((error: unknown) => {
        this.discovering = undefined;
        this.discoveryFailedAt = performance.now();
        throw error;
      });
    return this.discovering;
  }

  /** The endpoints for a request: a failed discovery is retried at most once a second. */
  private async discoverForRequest(): Promise<Endpoints> {
    if (!this.discovering && performance.now() - this.discoveryFailedAt < DISCOVERY_RETRY_MS) {
      throw new VerifyError('AUTH_UNAVAILABLE', { message: 'Latchkey metadata is unavailable' });
    }
    try {
      return await this.discover();
    } catch (cause) {
      throw new VerifyError('AUTH_UNAVAILABLE', { message: 'Latchkey metadata is unavailable', cause });
    }
  }
}

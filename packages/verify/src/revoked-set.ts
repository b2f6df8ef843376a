/** One entry of Latchkey's revocation feed (`GET /oauth/revocations`); times in epoch seconds. */
export interface FeedEntry {
  seq: number;
  type: 'token' | 'session' | 'credential' | 'user' | 'client';
  id: string;
  /** Until when it is refused; afterwards whatever it names has expired anyway. */
  exp: number;
  revoked_at: number;
}

const TYPES: ReadonlySet<string> = new Set(['token', 'session', 'credential', 'user', 'client']);

/** The entry if `value` is a well-formed feed entry, else null. */
export function feedEntry(value: unknown): FeedEntry | null {
  if (typeof value !== 'object' || value === null) return null;
  const { seq, type, id, exp, revoked_at: revokedAt } = value as Record<string, unknown>;
  const valid =
    Number.isSafeInteger(seq) &&
    typeof type === 'string' &&
    TYPES.has(type) &&
    typeof id === 'string' &&
    Number.isFinite(exp) &&
    Number.isFinite(revokedAt);
  return valid ? (value as FeedEntry) : null;
}

interface Standing {
  exp: number;
  revokedAt: number;
}

// Expired entries are swept at most this often (ms); a lookup ignores an expired entry anyway.
const SWEEP_INTERVAL_MS = 5_000;

/**
 * What the feed has said is revoked and has not expired yet, by what it names. Each entry is kept
 * until its `exp`, so memory is bounded by what was revoked within one access-token lifetime.
 */
export class RevokedSet {
  /** `token`: access tokens by `jti`. */
  private readonly tokens = new Map<string, number>();
  /** `session`: every access token with this `sid`. */
  private readonly sessions = new Map<string, number>();
  /** `credential`: a PAT or ingest key id whose introspection answers must not be trusted. */
  private readonly credentials = new Map<string, number>();
  /** `user`: a disabled or deleted user; tokens issued before `revokedAt`, and cached answers. */
  private readonly users = new Map<string, Standing>();
  /** `client`: a client whose secret rotated or that was deleted; its tokens issued before `revokedAt`. */
  private readonly clients = new Map<string, Standing>();
  private lastSweep = 0;

  get size(): number {
    return this.tokens.size + this.sessions.size + this.credentials.size + this.users.size + this.clients.size;
  }

  /** Adds an entry; a repeated one keeps the later expiry and the later revocation time. */
  add(entry: FeedEntry): void {
    if (entry.type === 'token') keepLater(this.tokens, entry.id, entry.exp);
    else if (entry.type === 'session') keepLater(this.sessions, entry.id, entry.exp);
    else if (entry.type === 'credential') keepLater(this.credentials, entry.id, entry.exp);
    else if (entry.type === 'user') keepLaterStanding(this.users, entry);
    else keepLaterStanding(this.clients, entry);
  }

  /** Whether a user's access token is refused: its own jti, its session, or its user disabled since it was issued. */
  refusesUserToken(claims: { jti: string; sid: string; sub: string; iat: number }, now: number): boolean {
    return (
      live(this.tokens.get(claims.jti), now) ||
      live(this.sessions.get(claims.sid), now) ||
      issuedBefore(this.users.get(claims.sub), claims.iat, now)
    );
  }

  /** Whether a client token is refused: its own jti, or its client rotated or deleted since it was issued. */
  refusesClientToken(claims: { jti: string; clientId: string; iat: number }, now: number): boolean {
    return live(this.tokens.get(claims.jti), now) || issuedBefore(this.clients.get(claims.clientId), claims.iat, now);
  }

  /**
   * Whether an introspection answer about credential `id` of user `sub` may not be trusted from
   * a cache: one of them has a standing entry (Latchkey's own credential cache follows the same rule).
   */
  distrusts(id: string, sub: string, now: number): boolean {
    return live(this.credentials.get(id), now) || live(this.users.get(sub)?.exp, now);
  }

  /** Drops what has expired, at most every few seconds. `now` in epoch ms. */
  sweep(nowMs: number): void {
    if (nowMs - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = nowMs;
    const now = nowMs / 1000;
    for (const map of [this.tokens, this.sessions, this.credentials]) {
      for (const [id, exp] of map) if (exp <= now) map.delete(id);
    }
    for (const map of [this.users, this.clients]) {
      for (const [id, standing] of map) if (standing.exp <= now) map.delete(id);
    }
  }
}

function keepLater(map: Map<string, number>, id: string, exp: number): void {
  const known = map.get(id);
  if (known === undefined || exp > known) map.set(id, exp);
}

function keepLaterStanding(map: Map<string, Standing>, entry: FeedEntry): void {
  const known = map.get(entry.id);
  map.set(entry.id, {
    exp: Math.max(entry.exp, known?.exp ?? entry.exp),
    revokedAt: Math.max(entry.revoked_at, known?.revokedAt ?? entry.revoked_at),
  });
}

function live(exp: number | undefined, now: number): boolean {
  return exp !== undefined && exp > now;
}

// Latchkey dates a client's new tokens no earlier than its rotation's second rounded up, which is
// the entry's `revoked_at`: only tokens issued before it are refused.
function issuedBefore(standing: Standing | undefined, iat: number, now: number): boolean {
  return standing !== undefined && standing.exp > now && iat < standing.revokedAt;
}

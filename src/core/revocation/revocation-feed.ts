import type { RecordedRevocation } from '../../store/revocation-store.js';
import type { Core } from '../core.js';
import { denyKey } from './denylist.js';

/**
 * What a verifier must refuse, by the denylist key's kind: `token` an access token (user or
 * client) by its `jti`; `session` every access token with that `sid`; `credential` a personal
 * access token or ingest key by its id (the `jti` introspection answers); `user` a disabled or
 * deleted user (`sub`); `client` an OAuth client's tokens with `iat` before `revoked_at`.
 */
export type RevokedType = 'token' | 'session' | 'credential' | 'user' | 'client';

export const REVOKED_TYPES: readonly RevokedType[] = ['token', 'session', 'credential', 'user', 'client'];

const TYPE_OF_PREFIX: ReadonlyMap<string, RevokedType> = new Map([
  [denyKey.accessToken(''), 'token'],
  [denyKey.session(''), 'session'],
  [denyKey.credential(''), 'credential'],
  [denyKey.user(''), 'user'],
  [denyKey.client(''), 'client'],
]);

/** One revocation as the feed publishes it; times in epoch seconds (rounded up), as in a JWT. */
export interface FeedEntry {
  /** Its feed position: the SSE event id. */
  seq: number;
  type: RevokedType;
  id: string;
  /** Until when it must be refused; afterwards whatever it names has expired anyway. */
  exp: number;
  revoked_at: number;
}

/** A read of the feed: the revocations, by position, and the position they bring a reader to. */
export interface FeedPage {
  revocations: FeedEntry[];
  cursor: number;
}

/** Who receives the feed's new revocations as they are recorded (an open stream). */
export interface FeedSubscriber {
  /** New revocations, by position; one may repeat what the subscriber already has. */
  deliver(entries: readonly FeedEntry[]): void;
  /** Called every REVOCATION_FEED_HEARTBEAT_SECONDS, with the time (epoch ms). */
  heartbeat(now: number): void;
}

/** The fan-out of new revocations to this instance's subscribers. */
export interface RevocationFeed {
  /** Returns the unsubscribe function. */
  subscribe(subscriber: FeedSubscriber): () => void;
}

// Rows read per query: a reader far behind is served in pages.
const PAGE_SIZE = 1_000;

export function feedEntry(revocation: RecordedRevocation): FeedEntry | null {
  const colon = revocation.key.indexOf(':');
  const type = TYPE_OF_PREFIX.get(revocation.key.slice(0, colon + 1));
  if (!type) return null;
  return {
    seq: revocation.seq,
    type,
    id: revocation.key.slice(colon + 1),
    exp: Math.ceil(revocation.expiresAt / 1000),
    revoked_at: Math.ceil(revocation.revokedAt / 1000),
  };
}

function feedEntries(revocations: readonly RecordedRevocation[]): FeedEntry[] {
  return revocations.map(feedEntry).filter((entry) => entry !== null);
}

/**
 * Every unexpired revocation. The cursor is read first: positions commit in order, so all up to
 * it are in the list (or were renewed to a later position, also in it) unless they expired.
 */
export async function readRevocationSnapshot(core: Core): Promise<FeedPage> {
  const last = await core.stores.revocations.lastSeq();
  const active = await core.stores.revocations.listActive(core.clock());
  return { revocations: feedEntries(active), cursor: Math.max(last, active.at(-1)?.seq ?? 0) };
}

/**
 * The unexpired revocations after position `since`, or null when `since` is past the last
 * position handed out (not a position of this database): the reader needs a snapshot instead.
 */
export async function readRevocationsSince(core: Core, since: number): Promise<FeedPage | null> {
  const { revocations } = core.stores;
  const last = await revocations.lastSeq();
  if (since > last) return null;
  const read: RecordedRevocation[] = [];
  for (let after = since; ; ) {
    const page = await revocations.listSince(after, core.clock(), PAGE_SIZE);
    read.push(...page);
    if (page.length < PAGE_SIZE) break;
    after = page.at(-1)!.seq;
  }
  return { revocations: feedEntries(read), cursor: Math.max(last, read.at(-1)?.seq ?? 0) };
}

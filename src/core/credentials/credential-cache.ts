import type { Credential } from '../../store/credential-store.js';

/** How long a looked-up credential is trusted without asking the database again. */
export const CREDENTIAL_CACHE_TTL_MS = 5 * 60_000;
// Bounds memory: an entry is a few hundred bytes.
const MAX_ENTRIES = 10_000;
// last_used_at is written at most this often per credential and instance.
const TOUCH_INTERVAL_MS = 60_000;

/**
 * One instance's memory of credential lookups (by secret hash) and of last-use writes. The
 * denylist says when an entry must not be trusted any more (revocation, a disabled owner), on
 * every instance (at once, or within a millisecond on one embedded DATA_DIR); then the database
 * decides again.
 */
export class CredentialCache {
  private readonly lookups = new Map<string, { credential: Credential; until: number }>();
  private readonly touched = new Map<string, number>();

  get(secretHash: string, now: number): Credential | undefined {
    const entry = this.lookups.get(secretHash);
    if (entry && entry.until > now) return entry.credential;
    if (entry) this.lookups.delete(secretHash);
    return undefined;
  }

  set(secretHash: string, credential: Credential, now: number): void {
    if (this.lookups.size >= MAX_ENTRIES) this.lookups.delete(this.lookups.keys().next().value!);
    this.lookups.set(secretHash, { credential, until: now + CREDENTIAL_CACHE_TTL_MS });
  }

  forget(secretHash: string): void {
    this.lookups.delete(secretHash);
  }

  /** Whether last_used_at is due a write now (and records that it was). */
  touchDue(credentialId: string, now: number): boolean {
    if (now - (this.touched.get(credentialId) ?? Number.NEGATIVE_INFINITY) < TOUCH_INTERVAL_MS) return false;
    // Forgetting only costs one extra write per credential.
    if (this.touched.size >= MAX_ENTRIES) this.touched.clear();
    this.touched.set(credentialId, now);
    return true;
  }
}

/**
 * Failure records behind the lockouts, shared by every instance. A record lives under a group (an
 * account, or the devices of one account) and a member within it, so one call can forget a whole
 * group. Records are opaque strings; the rules that read and write them live in core (lockout.ts).
 */
export interface FailureStore {
  read(group: string, member: string): Promise<string | null>;
  /**
   * Writes `next` when the record still holds `expected` (null: absent), kept `ttlMs` after this
   * write; false when another write came first, so the caller reads again.
   */
  compareAndSet(group: string, member: string, expected: string | null, next: string, ttlMs: number): Promise<boolean>;
  /** Forgets one member, or the whole group without one. */
  forget(group: string, member?: string): Promise<void>;
}

// Groups held before expired records are swept out: an outage must not let unknown e-mails grow it without end.
const MEMORY_SWEEP_AT = 10_000;

/** One process's records in memory: the fallback while Redis is unreachable. */
export function createMemoryFailureStore(now: () => number): FailureStore {
  const groups = new Map<string, Map<string, { value: string; expiresAt: number }>>();
  const sweep = () => {
    const at = now();
    for (const [group, members] of groups) {
      for (const [member, entry] of members) if (entry.expiresAt <= at) members.delete(member);
      if (members.size === 0) groups.delete(group);
    }
  };
  const live = (group: string, member: string) => {
    const entry = groups.get(group)?.get(member);
    return entry && entry.expiresAt > now() ? entry.value : null;
  };
  return {
    read: async (group, member) => live(group, member),
    async compareAndSet(group, member, expected, next, ttlMs) {
      if (live(group, member) !== expected) return false;
      if (groups.size >= MEMORY_SWEEP_AT) sweep();
      const members = groups.get(group) ?? new Map();
      members.set(member, { value: next, expiresAt: now() + ttlMs });
      groups.set(group, members);
      return true;
    },
    async forget(group, member) {
      if (member === undefined) groups.delete(group);
      else groups.get(group)?.delete(member);
    },
  };
}

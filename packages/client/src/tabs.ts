import type { SessionEndReason } from './session.js';

/** What one tab tells the others on the channel. */
export type TabMessage =
  /** A refresh has started under the lock; its outcome follows, in order, on the same channel. */
  | { type: 'refreshing'; id: string }
  | { type: 'token'; id?: string; token: string }
  /** The refresh failed for a transient reason (network, 5xx): the session may be fine. */
  | { type: 'failed'; id: string }
  | { type: 'ended'; id?: string; reason: SessionEndReason };

export interface TabListener {
  token(token: string): void;
  ended(reason: SessionEndReason): void;
}

// The parts of BroadcastChannel and the Web Locks API used here, declared so that the package
// also type-checks without the DOM library (Node, React Native).
interface Channel {
  postMessage(message: TabMessage): void;
  addEventListener(type: 'message', listener: (event: { data: TabMessage }) => void): void;
  close(): void;
  unref?(): void;
}
interface Locks {
  request<T>(name: string, task: () => Promise<T>): Promise<T>;
}
type Scope = {
  navigator?: { locks?: Locks };
  BroadcastChannel?: new (name: string) => Channel;
};

// A tab that announced a refresh and was closed before its outcome never sends one: bounded wait.
const OUTCOME_WAIT_MS = 3_000;

/**
 * Refreshes across the tabs of one origin: one Web Lock serializes them, and a BroadcastChannel
 * carries each refresh's outcome, so a tab that waited for the lock takes the new access token
 * instead of spending the refresh token again. Without Web Locks (old browsers), each tab
 * refreshes on its own; without BroadcastChannel, each tab refreshes after the other.
 */
export class Tabs {
  private readonly channel: Channel | null;
  private readonly locks: Locks | null;
  // Refreshes other tabs announced whose outcome has not arrived yet.
  private readonly awaited = new Map<string, () => void>();
  private readonly outcomes = new Map<string, Promise<void>>();

  constructor(
    private readonly name: string,
    listener: TabListener,
  ) {
    const scope = globalThis as unknown as Scope;
    this.locks = scope.navigator?.locks ?? null;
    this.channel = scope.BroadcastChannel ? new scope.BroadcastChannel(name) : null;
    // Node keeps its event loop alive for an open channel; a client should not.
    this.channel?.unref?.();
    this.channel?.addEventListener('message', (event) => this.receive(event.data, listener));
  }

  private receive(message: TabMessage, listener: TabListener): void {
    if (message.type === 'refreshing') {
      this.outcomes.set(message.id, new Promise((resolve) => this.awaited.set(message.id, resolve)));
      return;
    }
    if (message.type === 'token') listener.token(message.token);
    if (message.type === 'ended') listener.ended(message.reason);
    if (message.id !== undefined) {
      this.awaited.get(message.id)?.();
      this.awaited.delete(message.id);
      this.outcomes.delete(message.id);
    }
  }

  /**
   * Runs `task` while holding the lock. Whoever held it before has finished; if it announced a
   * refresh whose outcome is still on its way, that outcome is waited for first, so `task` sees it.
   */
  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (!this.locks) return task();
    return this.locks.request(this.name, async () => {
      const pending = [...this.outcomes.values()];
      if (pending.length > 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, OUTCOME_WAIT_MS)));
        await Promise.race([Promise.all(pending), timeout]);
        clearTimeout(timer);
        this.outcomes.clear();
        this.awaited.clear();
      }
      return task();
    });
  }

  post(message: TabMessage): void {
    this.channel?.postMessage(message);
  }

  close(): void {
    this.channel?.close();
  }
}

/** An id for one refresh's messages. */
export function refreshId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

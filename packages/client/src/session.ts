import { LatchkeyError } from './errors.js';
import { refreshId, type Tabs } from './tabs.js';

/**
 * Why a session ended: `logout` (this client or another tab signed out, or signed out
 * everywhere), `revoked` (revoked on the server, the refresh token reused, the account disabled),
 * `expired` (the refresh token is no longer accepted: it expired, or the cookie is gone).
 */
export type SessionEndReason = 'logout' | 'revoked' | 'expired';

/** What made the client refresh: the access token expired (or is about to), or it was revoked. */
export type RefreshTrigger = 'expired' | 'revoked';

// Refusal codes that mean someone ended the session, rather than it running out.
const REVOKING = new Set(['SESSION_REVOKED', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_DISABLED', 'TOKEN_REVOKED']);

interface Held {
  token: string;
  sid: string | undefined;
  /** Local times (ms): from when to refresh ahead, and when the token stops working. */
  renewAt: number;
  expiresAt: number;
}

export interface SessionOptions {
  /** One refresh over HTTP: the new access token, or null when there is no refresh token to present. */
  refresh(): Promise<string | null>;
  /** Drops the refresh token the client holds (storage mode). */
  forget(): Promise<void>;
  onSessionEnd: ((reason: SessionEndReason) => void) | undefined;
  /** True when the client holds the refresh token itself: a stored one stands for a session. */
  holdsRefreshToken: boolean;
  refreshAheadSeconds: number;
  now(): number;
  tabs: Tabs | null;
}

/** The claims the client reads (never trusts) from an access token, to know when it expires. */
function claimsOf(token: string): { exp?: number; iat?: number; sid?: string } {
  try {
    const payload = token.split('.')[1] ?? '';
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')));
  } catch {
    return {};
  }
}

/**
 * The access token and its renewal. However many requests find it expired, one refresh runs
 * (single flight, and across tabs under a Web Lock); the others wait and take its result.
 */
export class Session {
  private held: Held | null = null;
  private active = false;
  private renewing: Promise<string | null> | null = null;

  constructor(private readonly options: SessionOptions) {}

  /** The access token held now (possibly expired), or null. */
  get token(): string | null {
    return this.held?.token ?? null;
  }

  /** The session id (`sid` claim) of the token held, or undefined. */
  get sid(): string | undefined {
    return this.held?.sid;
  }

  /**
   * Holds `token` as the session's access token. Its lifetime is measured on the local clock from
   * now (exp - iat), so a skewed device clock does not matter.
   */
  hold(token: string): void {
    const { exp, iat, sid } = claimsOf(token);
    const now = this.options.now();
    const lifetimeMs =
      typeof exp === 'number' && typeof iat === 'number' ? (exp - iat) * 1000 : Number.POSITIVE_INFINITY;
    const aheadMs = Math.min(this.options.refreshAheadSeconds * 1000, lifetimeMs / 4);
    this.held = { token, sid, renewAt: now + lifetimeMs - aheadMs, expiresAt: now + lifetimeMs };
    this.active = true;
  }

  /** Holds a new session's token (a step-up, a password change) and hands it to the other tabs. */
  replace(token: string): void {
    this.hold(token);
    this.options.tabs?.post({ type: 'token', token });
  }

  /** A token to send: the one held, renewed first when it is about to expire; null without a session. */
  async usable(): Promise<string | null> {
    const held = this.held;
    if (held && this.options.now() < held.renewAt) return held.token;
    try {
      return await this.renew(held?.token ?? null, 'expired');
    } catch (error) {
      // Renewing ahead failed for a transient reason: the token still works for a while.
      if (held && this.held === held && this.options.now() < held.expiresAt) return held.token;
      throw error;
    }
  }

  /**
   * A token to replace `used`: the newer one if another request or tab already renewed it, else
   * the outcome of one refresh. Null when the session is over (onSessionEnd has been told).
   * Rejects, leaving the session as it was, when the refresh failed for a transient reason.
   */
  renew(used: string | null, trigger: RefreshTrigger): Promise<string | null> {
    if (this.held && this.held.token !== used) return Promise.resolve(this.held.token);
    this.renewing ??= this.coordinated(used, trigger).finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private coordinated(used: string | null, trigger: RefreshTrigger): Promise<string | null> {
    const run = async () => {
      // While this tab waited for the lock, the tab that held it may have broadcast a new token.
      if (this.held && this.held.token !== used) return this.held.token;
      return this.refreshHere(trigger);
    };
    return this.options.tabs ? this.options.tabs.exclusive(run) : run();
  }

  private async refreshHere(trigger: RefreshTrigger): Promise<string | null> {
    const tabs = this.options.tabs;
    const id = refreshId();
    tabs?.post({ type: 'refreshing', id });
    let token: string | null;
    try {
      token = await this.options.refresh();
    } catch (error) {
      // 401 and 403 are the server's answer about this session; anything else may pass.
      if (error instanceof LatchkeyError && (error.status === 401 || error.status === 403)) {
        const reason = trigger === 'revoked' || REVOKING.has(error.code) ? 'revoked' : 'expired';
        const hadSession = this.active || this.options.holdsRefreshToken;
        tabs?.post({ type: 'ended', id, reason });
        await this.end(reason, hadSession);
        return null;
      }
      tabs?.post({ type: 'failed', id });
      throw error;
    }
    if (token === null) {
      tabs?.post({ type: 'failed', id });
      await this.end('expired', this.active);
      return null;
    }
    this.hold(token);
    tabs?.post({ type: 'token', id, token });
    return token;
  }

  /** Takes a token another tab refreshed, when this tab has a session (or is renewing one). */
  adopt(token: string): void {
    if (this.active || this.renewing) this.hold(token);
  }

  /** The session is over: forget it, and tell the app if it had one. */
  async end(reason: SessionEndReason, tell = this.active): Promise<void> {
    this.held = null;
    this.active = false;
    await this.options.forget();
    if (tell) this.options.onSessionEnd?.(reason);
  }

  /** Ends the session here and in the other tabs (logout, sign-out everywhere). */
  async endEverywhere(reason: SessionEndReason): Promise<void> {
    this.options.tabs?.post({ type: 'ended', reason });
    await this.end(reason);
  }
}

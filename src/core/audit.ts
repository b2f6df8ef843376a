import type { AuditStore } from '../store/audit-store.js';
import type { Clock } from './clock.js';
import { randomId } from './ids.js';

/** Who made the request: recorded with every audit event and session. */
export interface RequestContext {
  ip: string;
  userAgent: string | null;
  /** The device cookie the client presented (cookie or header), unverified. */
  deviceCookie?: string | null;
}

export type AuditEventType =
  | 'user_registered'
  | 'login_succeeded'
  | 'login_failed'
  | 'account_locked'
  | 'refresh'
  | 'refresh_reuse_detected'
  | 'logout'
  | 'session_revoked'
  | 'password_changed'
  | 'password_reset'
  | 'reauthenticated'
  | 'mfa_enabled'
  | 'mfa_setup_failed'
  | 'mfa_disabled'
  | 'mfa_failed'
  | 'mfa_recovery_codes_regenerated'
  | 'mfa_reset'
  | 'passkey_registered'
  | 'passkey_used'
  | 'passkey_renamed'
  | 'passkey_deleted'
  | 'passkey_clone_detected'
  | 'role_changed'
  | 'plan_changed'
  | 'user_deleted'
  | 'oauth_client_registered'
  | 'oauth_client_secret_rotated'
  | 'oauth_client_deleted'
  | 'oauth_introspection_used'
  | 'oauth_revocation_feed_opened'
  | 'oauth_token_revoked'
  | 'database_restored'
  | 'sign_up_existing_email'
  | 'email_verified'
  | 'email_change_requested'
  | 'email_changed';

export class Audit {
  private readonly listeners: ((type: AuditEventType) => void)[] = [];

  constructor(
    private readonly store: AuditStore,
    private readonly clock: Clock,
  ) {}

  /** Calls `listener` with the type of every event recorded from now on (metrics count them). */
  onRecorded(listener: (type: AuditEventType) => void): void {
    this.listeners.push(listener);
  }

  /** `details` must never hold a secret: it is stored in clear. */
  record(
    type: AuditEventType,
    ctx: RequestContext,
    userId: string | null,
    details: Record<string, unknown> | null = null,
  ): Promise<void> {
    const appended = this.store.append({
      id: randomId('evt'),
      at: this.clock(),
      type,
      userId,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      details,
    });
    if (this.listeners.length === 0) return appended;
    return appended.then(() => {
      for (const listener of this.listeners) listener(type);
    });
  }
}

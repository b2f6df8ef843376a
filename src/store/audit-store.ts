export interface AuditEvent {
  id: string;
  at: number;
  type: string;
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Non-secret context (e.g. the session id); never a password, token or key. */
  details: Record<string, unknown> | null;
}

export interface AuditStore {
  append(event: AuditEvent): Promise<void>;
  listForUser(userId: string, limit: number): Promise<AuditEvent[]>;
  listByType(type: string, limit: number): Promise<AuditEvent[]>;
}

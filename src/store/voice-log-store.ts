/** An uploaded recording, as stored. The audio itself lives in the upload storage at `storagePath`. */
export interface VoiceLog {
  id: string;
  userId: string;
  /** The ingest key it arrived with (null when it came another way). */
  apiKeyId: string | null;
  /** The client's file name, sanitized (no path). */
  filename: string;
  contentType: string;
  sizeBytes: number;
  /** Relative to DATA_DIR/uploads. */
  storagePath: string;
  /** The upload's text fields (title, recorded_at, ...). */
  metadata: Record<string, string>;
  createdAt: number;
}

export interface VoiceLogStore {
  insert(log: VoiceLog): Promise<void>;
  /** The sizes of all the user's voice logs added up, in bytes. */
  storedBytes(userId: string): Promise<number>;
  /**
   * Inserts `log` unless the user's stored bytes would then pass `quotaBytes` (false, nothing
   * written). Atomic: of racing inserts that would together pass the quota, only those that fit
   * are written.
   */
  insertWithinQuota(log: VoiceLog, quotaBytes: number): Promise<boolean>;
  /** The user's voice log with this id; null when there is none or it belongs to someone else. */
  findForUser(userId: string, id: string): Promise<VoiceLog | null>;
  /** One page of the user's voice logs, newest first, with the user's total count. */
  listForUser(userId: string, page: { limit: number; offset: number }): Promise<{ items: VoiceLog[]; total: number }>;
  /** Where every one of the user's recordings is stored (relative to DATA_DIR/uploads). */
  listStoragePaths(userId: string): Promise<string[]>;
}

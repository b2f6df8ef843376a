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
  /** The user's voice log with this id; null when there is none or it belongs to someone else. */
  findForUser(userId: string, id: string): Promise<VoiceLog | null>;
  /** One page of the user's voice logs, newest first, with the user's total count. */
  listForUser(userId: string, page: { limit: number; offset: number }): Promise<{ items: VoiceLog[]; total: number }>;
  /** Where every one of the user's recordings is stored (relative to DATA_DIR/uploads). */
  listStoragePaths(userId: string): Promise<string[]>;
}

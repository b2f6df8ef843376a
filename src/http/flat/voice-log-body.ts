import { z } from 'zod';
import type { VoiceLog } from '../../store/voice-log-store.js';
import { isoTime } from '../schemas.js';

/** A voice log as the flat surface shows it (upload answer, list item, single item). */
export const voiceLogBody = z.object({
  id: z.string(),
  filename: z.string(),
  content_type: z.string(),
  size_bytes: z.number().int(),
  created_at: z.string(),
  metadata: z.record(z.string(), z.string()),
});

export function toVoiceLogBody(log: VoiceLog): z.infer<typeof voiceLogBody> {
  return {
    id: log.id,
    filename: log.filename,
    content_type: log.contentType,
    size_bytes: log.sizeBytes,
    created_at: isoTime(log.createdAt),
    metadata: log.metadata,
  };
}

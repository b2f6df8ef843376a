import type { Readable } from 'node:stream';
import type { StoredUpload } from '../store/upload-storage.js';
import type { VoiceLog } from '../store/voice-log-store.js';
import type { Core } from './core.js';
import { AuthError } from './errors.js';
import { randomId } from './random.js';

// A media type as busboy hands it over (lowercased, parameters stripped), RFC 6838 section 4.2.
const AUDIO_TYPE = /^audio\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
const FILENAME_MAX_LENGTH = 255;

/** Whether `contentType` names an audio format (`audio/*`); parameters such as `; codecs=` are ignored. */
export function isAudioType(contentType: string): boolean {
  return AUDIO_TYPE.test(contentType.split(';')[0]!.trim().toLowerCase());
}

/**
 * The client's file name made safe to store and show: its last path segment, without control
 * characters, at most 255 characters; `upload` when nothing usable is left.
 */
export function sanitizeFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, FILENAME_MAX_LENGTH);
  return clean === '' || clean === '.' || clean === '..' ? 'upload' : clean;
}

export interface IncomingAudio {
  userId: string;
  /** The ingest key the upload came with. */
  apiKeyId: string | null;
  filename: string | undefined;
  contentType: string;
}

/** Audio stored whole on disk but not yet recorded: commit it, or discard it. */
export interface ReceivedAudio {
  id: string;
  file: StoredUpload;
  /** Records the voice log; when the insert fails the file is deleted and the error rethrown. */
  commit(metadata: Record<string, string>): Promise<VoiceLog>;
  /** Deletes the file (for an upload that failed after the audio arrived). */
  discard(): Promise<void>;
}

/**
 * Checks that the upload is audio, then streams it to storage under a new `vl_` id. Nothing is
 * recorded yet: the caller commits once the rest of the request has arrived, so a rejected or
 * interrupted upload leaves neither a record nor a file.
 */
export async function receiveVoiceLog(core: Core, audio: IncomingAudio, content: Readable): Promise<ReceivedAudio> {
  const contentType = audio.contentType.split(';')[0]!.trim().toLowerCase();
  if (!isAudioType(contentType)) {
    throw new AuthError('UNSUPPORTED_AUDIO_TYPE', { message: `Unsupported content type ${contentType}: only audio files (audio/*) can be uploaded` });
  }
  const id = randomId('vl');
  const file = await core.stores.uploads.save(audio.userId, id, content);
  const discard = () => core.stores.uploads.remove(file.path);
  return {
    id,
    file,
    discard,
    async commit(metadata) {
      const log: VoiceLog = {
        id,
        userId: audio.userId,
        apiKeyId: audio.apiKeyId,
        filename: sanitizeFilename(audio.filename),
        contentType,
        sizeBytes: file.sizeBytes,
        storagePath: file.path,
        metadata,
        createdAt: core.clock(),
      };
      try {
        await core.stores.voiceLogs.insert(log);
      } catch (error) {
        // The insert's failure is the one to report; a failed delete only leaves an orphan file.
        await discard().catch(() => {});
        throw error;
      }
      return log;
    },
  };
}

/** One page (from 1) of the user's voice logs, newest first, with their total count. */
export async function listVoiceLogs(
  core: Core,
  userId: string,
  page: { page: number; pageSize: number },
): Promise<{ items: VoiceLog[]; total: number }> {
  if (!Number.isSafeInteger(page.page) || page.page < 1) throw new TypeError('listVoiceLogs: page must be an integer >= 1');
  if (!Number.isSafeInteger(page.pageSize) || page.pageSize < 1) throw new TypeError('listVoiceLogs: pageSize must be an integer >= 1');
  return core.stores.voiceLogs.listForUser(userId, { limit: page.pageSize, offset: (page.page - 1) * page.pageSize });
}

/** The user's voice log `id`, or null when there is none or it belongs to another user. */
export async function findVoiceLog(core: Core, userId: string, id: string): Promise<VoiceLog | null> {
  return core.stores.voiceLogs.findForUser(userId, id);
}

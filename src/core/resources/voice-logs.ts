import { Readable } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import type { StoredUpload } from '../../store/upload-storage.js';
import type { VoiceLog } from '../../store/voice-log-store.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { randomId } from '../ids.js';

// A media type as busboy hands it over (lowercased, parameters stripped), RFC 6838 section 4.2.
const AUDIO_TYPE = /^audio\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
// Any media type, the only form an error message quotes back: no markup can get through.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
const FILENAME_MAX_LENGTH = 255;
// As many leading bytes as file-type looks at (its reasonableDetectionSizeInBytes).
const SNIFF_BYTES = 4100;
// Containers that may also carry video, into which browsers record audio (MediaRecorder: WebM in
// Chromium and Firefox, MP4 in Safari): accepted as audio, since the declared type must be audio/*.
const AUDIO_CONTAINERS: Readonly<Record<string, string>> = { webm: 'audio/webm', mp4: 'audio/mp4' };

/** Whether `contentType` names an audio format (`audio/*`); parameters such as `; codecs=` are ignored. */
export function isAudioType(contentType: string): boolean {
  return AUDIO_TYPE.test(contentType.split(';')[0]!.trim().toLowerCase());
}

/**
 * The client's file name made safe to store and show: its last path segment, without control
 * characters, at most 255 characters; `upload` when nothing usable is left. It is metadata only:
 * the file on disk is named by the server (ASVS 5.0 5.2.2).
 */
export function sanitizeFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  // Control characters are what it strips.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the pattern.
  const controls = /[\u0000-\u001f\u007f]/g;
  const clean = base.replace(controls, '').trim().slice(0, FILENAME_MAX_LENGTH);
  return clean === '' || clean === '.' || clean === '..' ? 'upload' : clean;
}

export interface DetectedAudio {
  /** The format's media type, without parameters. */
  contentType: string;
  /** The format's usual file extension, without the dot. */
  extension: string;
}

/** The audio format the content's magic bytes show, or null when they show none (or not audio). */
export async function detectAudio(head: Uint8Array): Promise<DetectedAudio | null> {
  const detected = await fileTypeFromBuffer(head);
  if (!detected) return null;
  const contentType = detected.mime.startsWith('audio/')
    ? detected.mime.split(';')[0]!.trim()
    : AUDIO_CONTAINERS[detected.ext];
  return contentType ? { contentType, extension: detected.ext } : null;
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
  /**
   * Records the voice log if it still fits the user's storage quota (STORAGE_QUOTA_EXCEEDED
   * otherwise); when the insert fails or is refused the file is deleted and the error thrown.
   */
  commit(metadata: Record<string, string>): Promise<VoiceLog>;
  /** Deletes the file (for an upload that failed after the audio arrived). */
  discard(): Promise<void>;
}

function quotaFull(core: Core): AuthError {
  return new AuthError('STORAGE_QUOTA_EXCEEDED', {
    message: `This upload does not fit the account's storage quota of ${core.config.storageQuotaBytes} bytes`,
    details: { quotaBytes: core.config.storageQuotaBytes },
  });
}

/**
 * Reads the start of `chunks` and the audio format it shows: as soon as what has arrived shows
 * one (a WAV says so in 12 bytes, so a slow client's file is written as it comes), else once
 * SNIFF_BYTES or the end have arrived. Only audio is taken early; anything else gets the full sample.
 */
async function sniffAudio(
  chunks: AsyncIterator<Buffer>,
): Promise<{ head: Buffer; ended: boolean; audio: DetectedAudio | null }> {
  const parts: Buffer[] = [];
  let length = 0;
  for (;;) {
    const next = await chunks.next();
    if (!next.done) {
      parts.push(next.value);
      length += next.value.length;
    }
    const ended = next.done === true;
    const head = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const audio = await detectAudio(head);
    if (audio || ended || length >= SNIFF_BYTES) return { head, ended, audio };
  }
}

/** `head`, then the rest of `chunks`, failing with `tooMany()` as soon as more than `maxBytes` passed. */
async function* boundedTo(
  head: Buffer,
  rest: AsyncIterator<Buffer> | null,
  maxBytes: number,
  tooMany: () => Error,
): AsyncGenerator<Buffer> {
  let total = head.length;
  if (total > maxBytes) throw tooMany();
  yield head;
  while (rest) {
    const next = await rest.next();
    if (next.done) return;
    total += next.value.length;
    if (total > maxBytes) throw tooMany();
    yield next.value;
  }
}

/**
 * Takes one upload from the ingest key's budget (UPLOAD_RATE_LIMIT per window, shared by every
 * instance); UPLOAD_RATE_LIMITED with Retry-After once it is spent.
 */
export async function takeUploadAttempt(core: Core, apiKeyId: string): Promise<void> {
  const result = await core.uploadLimiter.consume(apiKeyId);
  if (result.allowed) return;
  const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  throw new AuthError('UPLOAD_RATE_LIMITED', {
    headers: { 'retry-after': String(seconds) },
    details: { retryAfterSeconds: seconds },
  });
}

/**
 * Checks that the upload is audio, by its declared type and by its first bytes, and that it fits
 * the user's storage quota, then streams it to storage as `<vl_ id>.<detected extension>`. Nothing
 * is recorded yet: the caller commits once the rest of the request has arrived, so a rejected or
 * interrupted upload leaves neither a record nor a file.
 */
export async function receiveVoiceLog(core: Core, audio: IncomingAudio, content: Readable): Promise<ReceivedAudio> {
  const declared = audio.contentType.split(';')[0]!.trim().toLowerCase();
  if (!isAudioType(declared)) {
    const shown = MEDIA_TYPE.test(declared) ? `Unsupported content type ${declared}` : 'Unsupported content type';
    throw new AuthError('UNSUPPORTED_AUDIO_TYPE', { message: `${shown}: only audio files (audio/*) can be uploaded` });
  }
  // Refused before reading a byte when the quota is already full; the commit checks again atomically.
  const remainingBytes = core.config.storageQuotaBytes - (await core.stores.voiceLogs.storedBytes(audio.userId));
  if (remainingBytes <= 0) throw quotaFull(core);

  const chunks = content[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const { head, ended, audio: detected } = await sniffAudio(chunks);
  if (!detected) {
    throw new AuthError('UNSUPPORTED_AUDIO_TYPE', {
      message: 'The file is not audio in a known format (its content was checked, not its name or declared type)',
    });
  }
  const id = randomId('vl');
  const bounded = Readable.from(boundedTo(head, ended ? null : chunks, remainingBytes, () => quotaFull(core)));
  const file = await core.stores.uploads.save(audio.userId, `${id}.${detected.extension}`, bounded);
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
        contentType: detected.contentType,
        sizeBytes: file.sizeBytes,
        storagePath: file.path,
        metadata,
        createdAt: core.clock(),
      };
      let recorded: boolean;
      try {
        recorded = await core.stores.voiceLogs.insertWithinQuota(log, core.config.storageQuotaBytes);
      } catch (error) {
        // The insert's failure is the one to report; a failed delete only leaves an orphan file.
        await discard().catch(() => {});
        throw error;
      }
      if (!recorded) {
        await discard().catch(() => {});
        throw quotaFull(core);
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
  if (!Number.isSafeInteger(page.page) || page.page < 1)
    throw new TypeError('listVoiceLogs: page must be an integer >= 1');
  if (!Number.isSafeInteger(page.pageSize) || page.pageSize < 1)
    throw new TypeError('listVoiceLogs: pageSize must be an integer >= 1');
  return core.stores.voiceLogs.listForUser(userId, { limit: page.pageSize, offset: (page.page - 1) * page.pageSize });
}

/** The user's voice log `id`, or null when there is none or it belongs to another user. */
export async function findVoiceLog(core: Core, userId: string, id: string): Promise<VoiceLog | null> {
  return core.stores.voiceLogs.findForUser(userId, id);
}

import multipart, { type MultipartFile, type MultipartValue } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuthError, type Core, type ReceivedAudio, receiveVoiceLog, takeUploadAttempt } from '../../core/index.js';
import { createIngestGuard, ingestPrincipalOf } from '../guard.js';
import { inspectRequestData, tooDeep } from '../nul-guard.js';
import { toVoiceLogBody, voiceLogBody } from './voice-log-body.js';

// Limits of one upload besides the file's size (UPLOAD_MAX_BYTES): a file and a few text fields.
const FIELDS_MAX = 20;
const FIELD_MAX_BYTES = 10 * 1024;
const PARTS_MAX = 25;
const FIELD_NAME_MAX_LENGTH = 100;

/** /api/ingest/*: the only routes an X-API-Key opens. */
export function flatIngestRoutes(core: Core): FastifyPluginAsyncZod {
  const guard = createIngestGuard(core);
  const maxBytes = core.config.uploadMaxBytes;
  return async (app) => {
    // Registered here only: no other route accepts multipart bodies.
    await app.register(multipart, {
      limits: { fileSize: maxBytes, files: 1, fields: FIELDS_MAX, fieldSize: FIELD_MAX_BYTES, parts: PARTS_MAX },
    });

    // Lets an integration check its key without uploading anything.
    app.get(
      '/ingest/ping',
      { onRequest: guard, schema: { response: { 200: z.object({ ok: z.literal(true), key_id: z.string() }) } } },
      async (request) => ({
        ok: true as const,
        key_id: ingestPrincipalOf(request).credentialId,
      }),
    );

    /**
     * One audio file (part `file`) plus optional text fields kept as metadata. The file streams to
     * disk; the record is written only once the whole request has arrived, so a refused or
     * interrupted upload leaves neither a record nor a file.
     */
    app.post(
      '/ingest/upload',
      { onRequest: guard, schema: { response: { 201: voiceLogBody } } },
      async (request, reply) => {
        const { userId, credentialId } = ingestPrincipalOf(request);
        // Counted before the body is read: a refused upload costs the server nothing more.
        await takeUploadAttempt(core, credentialId).catch((error: unknown) => {
          throw toUploadError(error, request, maxBytes);
        });
        if (!request.isMultipart()) {
          throw new AuthError('UNSUPPORTED_MEDIA_TYPE', { message: 'Send the upload as multipart/form-data' });
        }
        const metadata = new Map<string, string>();
        let received: ReceivedAudio | undefined;
        try {
          for await (const part of request.parts()) {
            if (part.type === 'field') {
              addField(metadata, part);
              continue;
            }
            received = await receiveFile(core, part, { userId, apiKeyId: credentialId });
          }
          if (!received) throw new AuthError('NO_FILE');
        } catch (error) {
          await received?.discard();
          throw toUploadError(error, request, maxBytes);
        }
        const log = await received.commit(Object.fromEntries(metadata));
        return reply.code(201).send(toVoiceLogBody(log));
      },
    );
  };
}

const PLAIN_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** A field name as an error message may quote it: plain names only, never the client's markup. */
function shown(name: string): string {
  return PLAIN_NAME.test(name) ? name : 'a field';
}

function addField(metadata: Map<string, string>, part: MultipartValue): void {
  const name = part.fieldname;
  if (name === 'file')
    throw new AuthError('NO_FILE', {
      message: 'The "file" field must be a file part (with a filename and an audio content type)',
    });
  if (name.length === 0 || name.length > FIELD_NAME_MAX_LENGTH) {
    throw new AuthError('VALIDATION_FAILED', { message: `Field names are 1 to ${FIELD_NAME_MAX_LENGTH} characters` });
  }
  if (part.valueTruncated)
    throw new AuthError('VALIDATION_FAILED', { message: `${shown(name)}: longer than ${FIELD_MAX_BYTES} bytes` });
  if (metadata.has(name)) throw new AuthError('VALIDATION_FAILED', { message: `${shown(name)}: sent more than once` });
  // A part sent as application/json arrives parsed; metadata is a map of strings. Its depth is
  // checked before JSON.stringify, which recurses.
  if (typeof part.value !== 'string' && inspectRequestData(part.value) === 'too-deep') throw tooDeep();
  metadata.set(name, typeof part.value === 'string' ? part.value : JSON.stringify(part.value));
}

/** Streams the `file` part to storage, stopping at the size limit instead of reading on. */
async function receiveFile(
  core: Core,
  part: MultipartFile,
  owner: { userId: string; apiKeyId: string },
): Promise<ReceivedAudio> {
  try {
    if (part.fieldname !== 'file')
      throw new AuthError('NO_FILE', {
        message: `No file part named "file"${PLAIN_NAME.test(part.fieldname) ? ` (got "${part.fieldname}")` : ''}`,
      });
    // busboy truncates the file at the limit and carries on reading; failing the stream stops the
    // write at once and lets storage delete the partial file. A part parsed before we got it may
    // be truncated already.
    if (part.file.truncated) throw new AuthError('UPLOAD_TOO_LARGE');
    part.file.once('limit', () => part.file.destroy(new AuthError('UPLOAD_TOO_LARGE')));
    const received = await receiveVoiceLog(
      core,
      { ...owner, filename: part.filename, contentType: part.mimetype },
      part.file,
    );
    if (part.file.truncated) {
      await received.discard();
      throw new AuthError('UPLOAD_TOO_LARGE');
    }
    return received;
  } finally {
    // Unread (refused) or failed: release busboy so the request is not held open.
    if (!part.file.readableEnded) part.file.destroy();
  }
}

const MULTIPART_ERRORS: Record<string, (maxBytes: number) => AuthError> = {
  FST_REQ_FILE_TOO_LARGE: (maxBytes) => tooLarge(maxBytes),
  FST_FILES_LIMIT: () => new AuthError('TOO_MANY_PARTS', { message: 'An upload carries exactly one file' }),
  FST_FIELDS_LIMIT: () =>
    new AuthError('TOO_MANY_PARTS', { message: `An upload carries at most ${FIELDS_MAX} text fields` }),
  FST_PARTS_LIMIT: () => new AuthError('TOO_MANY_PARTS', { message: `An upload carries at most ${PARTS_MAX} parts` }),
  FST_PROTO_VIOLATION: () => new AuthError('VALIDATION_FAILED', { message: 'Field name not allowed' }),
  FST_INVALID_JSON_FIELD_ERROR: () =>
    new AuthError('VALIDATION_FAILED', { message: 'A field sent as application/json is not valid JSON' }),
  FST_MP_PREMATURE_CLOSE: () => new AuthError('BAD_REQUEST', { message: 'The upload ended before it was complete' }),
};

// busboy's own errors carry no code; these are its messages for a broken body.
const MALFORMED_MULTIPART =
  /^(Multipart: Boundary not found|Unexpected end of multipart data|.* terminated early|The needle )/;

function tooLarge(maxBytes: number): AuthError {
  return new AuthError('UPLOAD_TOO_LARGE', {
    message: `The file is larger than the upload limit of ${maxBytes} bytes`,
  });
}

/**
 * Maps what parsing an upload can throw to a code. When the request body was not read to its end,
 * the answer also closes the connection: the rest of a large body is not worth reading.
 */
function toUploadError(error: unknown, request: FastifyRequest, maxBytes: number): unknown {
  let mapped = error;
  if (error instanceof AuthError) {
    if (error.code === 'UPLOAD_TOO_LARGE') mapped = tooLarge(maxBytes);
  } else if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const known = typeof code === 'string' ? MULTIPART_ERRORS[code] : undefined;
    if (known) mapped = known(maxBytes);
    else if (MALFORMED_MULTIPART.test(error.message))
      mapped = new AuthError('BAD_REQUEST', { message: 'Malformed multipart body', cause: error });
    // The client went away mid-body (the socket's reset surfaces here): a client error, not ours.
    else if (request.raw.destroyed && !request.raw.complete)
      mapped = MULTIPART_ERRORS.FST_MP_PREMATURE_CLOSE!(maxBytes);
  }
  if (!(mapped instanceof AuthError) || request.raw.complete) return mapped;
  return new AuthError(mapped.code, {
    message: mapped.message,
    details: mapped.details,
    headers: { ...mapped.headers, connection: 'close' },
    cause: mapped.cause,
  });
}

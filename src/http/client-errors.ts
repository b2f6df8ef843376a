import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { AuthError, type ErrorCode } from '../core/index.js';
import { flatErrorBody } from './flat/error-body.js';
import { API_SECURITY_HEADERS } from './security-headers.js';

/** Node's parser and timeout errors, by the code it gives them, and what the client is told. */
function codeFor(nodeCode: string | undefined): ErrorCode {
  switch (nodeCode) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'REQUEST_TIMEOUT';
    case 'HPE_HEADER_OVERFLOW':
      return 'REQUEST_HEADERS_TOO_LARGE';
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 'PAYLOAD_TOO_LARGE';
    default:
      return 'BAD_REQUEST';
  }
}

/**
 * Fastify's clientErrorHandler: answers what Node rejects before any route runs (a timeout, a
 * malformed or oversized head) with the API's security headers and a flat `{detail, code}` body,
 * since no URL, and so no surface, is known yet. The error is not logged: its rawPacket may hold
 * the request's Authorization header or cookies.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const authError = new AuthError(codeFor(error.code));
    const body = JSON.stringify(flatErrorBody(authError));
    const headers: Record<string, string | number> = {
      ...API_SECURITY_HEADERS,
      'cache-control': 'no-store',
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    };
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`HTTP/1.1 ${authError.status} ${STATUS_CODES[authError.status]}\r\n${head}\r\n${body}`);
  }
  socket.destroy();
}

import type { FastifyInstance, FastifyReply } from 'fastify';
import { type AuthError, OAuthError } from '../../core/index.js';
import { toAuthError } from '../error-mapping.js';

/** `{error, error_description}`: RFC 6749 section 5.2, the body of every /oauth/* refusal. */
function send(reply: FastifyReply, error: OAuthError): FastifyReply {
  return reply
    .code(error.status)
    .headers(error.headers)
    .header('cache-control', 'no-store')
    .send({ error: error.error, error_description: error.message });
}

/** The OAuth error a surface-level failure (validation, a body too large, an outage) stands for. */
function toOAuthError(error: AuthError): OAuthError {
  if (error.status >= 500) return new OAuthError('temporarily_unavailable', error.message, { status: error.status });
  return new OAuthError('invalid_request', error.message, { status: error.status, headers: error.headers });
}

/** Installs the RFC error body on the OAuth plugin: nothing on /oauth/* answers in a surface's envelope. */
export function useOAuthErrors(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) =>
    send(reply, error instanceof OAuthError ? error : toOAuthError(toAuthError(error, request.log))),
  );
}

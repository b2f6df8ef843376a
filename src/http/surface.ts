import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../core/index.js';
import { toAuthError } from './error-mapping.js';

/** How one HTTP surface writes an error body. */
export type ErrorBody = (error: AuthError) => unknown;

/**
 * Installs a surface's error and not-found handlers on its (encapsulated) plugin: every error on
 * the surface, from validation to a bug, leaves in that surface's shape and nowhere else.
 */
export function useErrorShape(
  app: FastifyInstance,
  body: ErrorBody,
  /** Answers an unmatched request first when it returns a reply (the dashboard's client-side routes). */
  notFoundFallback?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined,
): void {
  const send = (reply: FastifyReply, error: AuthError) =>
    reply.code(error.status).headers(error.headers).header('cache-control', 'no-store').send(body(error));

  app.setErrorHandler((error, request, reply) => send(reply, toAuthError(error, request.log)));
  app.setNotFoundHandler(
    (request: FastifyRequest, reply) =>
      notFoundFallback?.(request, reply) ??
      // The path is not echoed: it is the client's text, markup included.
      send(reply, new AuthError('ROUTE_NOT_FOUND')),
  );
}

/**
 * For Fastify's `frameworkErrors`: a URL it cannot route (bad percent-encoding, an overlong
 * parameter) is answered in the shape of the surface it was meant for, without quoting the path
 * back (Fastify's own answer does, markup included).
 */
export function answerUnroutableUrl(v1Body: ErrorBody, flatBody: ErrorBody, headers: Readonly<Record<string, string>>) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const body = /^\/api\/v1(\/|$|\?)/.test(request.url) ? v1Body : flatBody;
    const mapped =
      error.code === 'FST_ERR_BAD_URL'
        ? new AuthError('BAD_REQUEST', { message: 'The URL is not valid percent-encoding' })
        : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new AuthError('URI_TOO_LONG')
          : toAuthError(error, request.log);
    return reply.code(mapped.status).headers(headers).headers(mapped.headers).send(body(mapped));
  };
}

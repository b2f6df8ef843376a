import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../core/errors.js';
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

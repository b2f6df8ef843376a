import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/**
 * Fastify logs a request twice at info, when it arrives and when it is answered; each line is a
 * write to the log's destination. Latchkey writes one line per request, when it is answered, with
 * the request (method, path, client), the status and the time taken; the arrival line moves to
 * debug, for tracing a request that hangs. `disableRequestLogging` still silences both.
 */
export class AccessLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    // The client's address is read on arrival, for the `request aborted` line: Node keeps it on the
    // socket once read (one system call a connection), and a closed socket has none to give.
    void request.ip;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

/**
 * A request whose client goes away before the answer (a dropped login, a body that never ends)
 * never completes, so without this it would leave no line at info. Fastify listens for each
 * request's close only when such a hook exists, so it is added only when the line would be written.
 */
export function logAbortedRequests(app: FastifyInstance, logger: Logger): void {
  if (!logger.isLevelEnabled('info')) return;
  app.addHook('onRequestAbort', (request, done) => {
    request.log.info({ req: request }, 'request aborted');
    done();
  });
}

import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Fastify logs a request twice at info, when it arrives and when it is answered; each line is a
 * write to the log's destination. Latchkey writes one line per request, when it is answered, with
 * the request (method, path, client), the status and the time taken; the arrival line moves to
 * debug, for tracing a request that never completes.
 */
export class AccessLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Core, RevocationFeed } from '../core/index.js';
import { AccessLog, logAbortedRequests } from './access-log.js';
import { answerClientError } from './client-errors.js';
import { isDashboardPage, registerDashboard } from './dashboard.js';
import { flatErrorBody } from './flat/error-body.js';
import { flatSurface } from './flat/index.js';
import { healthRoutes } from './health-routes.js';
import { rejectNulCharacters } from './nul-guard.js';
import { registerOpenApi } from './openapi.js';
import { createMetrics, metricsRoute } from './metrics.js';
import { VERSION } from '../version.js';
import { responseSerializerCompiler } from './response-serializer.js';
import { sayMissingFieldsAreRequired } from './schemas.js';
import { API_SECURITY_HEADERS, SECURITY_HEADERS_BUT_CSP } from './security-headers.js';
import { answerUnroutableUrl, useErrorShape } from './surface.js';
import { v1ErrorBody } from './v1/envelope.js';
import { v1Surface } from './v1/index.js';
import { oauthEndpoints } from './oauth/index.js';
import { writeAtEndOfTurn } from './write-coalescing.js';

export interface AppOptions {
  core: Core;
  logger: Logger;
  /** This instance's revocation feed, which GET /oauth/revocations streams. */
  feed: RevocationFeed;
}

/**
 * Bodies are JSON (and multipart on the ingest upload, registered there). Many clients send
 * `Content-Type: application/json` on every request, bodiless ones too (logout): an empty body is
 * no body, not bad JSON; anything else goes through Fastify's own parser, which refuses prototype
 * poisoning. Fastify's text/plain parser is dropped, so such a body is 415, not a confusing 400.
 */
function useJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text === '') done(null, undefined);
    else parseJson(request, text, done);
  });
}

/**
 * Bounds a whole request (headers and body) by REQUEST_TIMEOUT_SECONDS, so a client trickling
 * bytes cannot hold a socket (slowloris). Node keeps headersTimeout at its 60 s default when only
 * requestTimeout is set, and where headersTimeout is the larger of the two it swaps them: a body
 * was then bounded by 60 s, not the setting. Node also checks both only every
 * connectionsCheckingInterval (30 s by default), which is checked here at a tenth of the setting.
 */
export function requestTimeouts(requestTimeoutSeconds: number) {
  const requestTimeout = requestTimeoutSeconds * 1000;
  return {
    requestTimeout,
    http: {
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, 60_000),
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.round(requestTimeout / 10))),
    },
  };
}

/** The HTTP server: both documented surfaces over one core, health and JWKS, and the dashboard. */
export async function buildApp({ core, logger, feed }: AppOptions) {
  const { config } = core;
  const app = Fastify({
    // A silent logger still costs every request a child logger and two listeners for lines that
    // go nowhere: at LOG_LEVEL=silent Fastify gets none. The level is read once, here.
    ...(logger.level === 'silent' ? {} : { loggerInstance: logger as FastifyBaseLogger }),
    logController: new AccessLog(),
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimitBytes,
    ...requestTimeouts(config.requestTimeoutSeconds),
    frameworkErrors: answerUnroutableUrl(v1ErrorBody, flatErrorBody, {
      ...API_SECURITY_HEADERS,
      'cache-control': 'no-store',
    }),
    // What Node refuses before routing (408, 400, 431) carries the security headers too.
    clientErrorHandler: answerClientError,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<ZodTypeProvider>();
  useJsonBodies(app);
  sayMissingFieldsAreRequired();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler);
  app.decorateRequest('principal', null);

  // close() only reaps sockets that are idle at that moment: a keep-alive socket whose request was
  // in flight would stay open for keepAliveTimeout (72 s), past the shutdown deadline. Responses
  // sent while closing therefore end their connection.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // First, so the hooks after it (the shutdown's `connection: close`) run when the response is written.
  app.addHook('onSend', writeAtEndOfTurn);
  // A callback hook, not an async one: it runs on every response, and the promise costs measurably.
  app.addHook('onSend', (_request, reply, payload, done) => {
    // Nothing may be cached unless its route says so (static files, JWKS): responses that carry
    // credentials must never be. Decided per response, not by URL, which has other spellings.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    // On every answer, errors and 404s included; a dashboard page keeps its own CSP.
    reply.headers(reply.hasHeader('content-security-policy') ? SECURITY_HEADERS_BUT_CSP : API_SECURITY_HEADERS);
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  if (config.metricsToken !== undefined || config.metricsPort !== undefined) {
    const metrics = createMetrics(app, core, VERSION);
    app.decorate('metrics', metrics);
    if (config.metricsToken !== undefined) metricsRoute(app, metrics, config.metricsToken);
  }
  app.addHook('preValidation', rejectNulCharacters);
  logAbortedRequests(app, logger);
  const dashboardPage = await registerDashboard(app);
  useErrorShape(app, flatErrorBody, (request, reply) =>
    dashboardPage && isDashboardPage(request) ? dashboardPage(reply) : undefined,
  );
  await registerOpenApi(app, config.publicUrl);
  await app.register(healthRoutes(core));
  await app.register(v1Surface(core), { prefix: '/api/v1' });
  await app.register(flatSurface(core), { prefix: '/api' });
  await app.register(oauthEndpoints(core, feed));
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

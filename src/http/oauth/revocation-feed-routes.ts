import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  authorizeFeedReader,
  type Core,
  REVOKED_TYPES,
  type RevocationFeed,
  readRevocationSnapshot,
  readRevocationsSince,
  requireClient,
} from '../../core/index.js';
import { requestContext } from '../guard.js';
import { type FeedOpening, FeedStream } from './feed-stream.js';
import { presentedClient } from './presented-client.js';

// A feed position: 15 digits stay below 2^53.
const POSITION = /^\d{1,15}$/;

const feedQuery = z.object({
  since: z.string().regex(POSITION, 'must be a feed position (a non-negative integer)').optional(),
});

const feedEntry = z.object({
  seq: z.number().int(),
  type: z.enum(REVOKED_TYPES),
  id: z.string(),
  exp: z.number().int(),
  revoked_at: z.number().int(),
});

const feedPage = z.object({
  revocations: z.array(feedEntry),
  cursor: z.number().int(),
  snapshot: z.boolean(),
});

/** A snapshot, unless `since` is a position of this database: then what came after it. */
async function openingFor(core: Core, since: number | null): Promise<FeedOpening> {
  const page = since === null ? null : await readRevocationsSince(core, since);
  return page ? { ...page, snapshot: false } : { ...(await readRevocationSnapshot(core)), snapshot: true };
}

/** JSON for `since` or a reader that accepts JSON and not event streams; events otherwise. */
function wantsStream(since: string | undefined, accept = ''): boolean {
  return since === undefined && !(accept.includes('application/json') && !accept.includes('text/event-stream'));
}

/**
 * GET /oauth/revocations, for clients allowed to read it: Server-Sent Events (a snapshot or the
 * events after Last-Event-ID, then each revocation as it is recorded, and heartbeats), or with
 * `since` (or Accept: application/json) one JSON page for pollers.
 */
export function revocationFeedRoutes(core: Core, feed: RevocationFeed): FastifyPluginAsyncZod {
  return async (app) => {
    const streams = new Set<FeedStream>();
    app.addHook('preClose', async () => {
      for (const stream of streams) stream.end();
    });

    async function openStream(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const stream = new FeedStream(reply.raw);
      // Subscribed before the opening is read, so what is recorded meanwhile is held, not lost.
      const unsubscribe = feed.subscribe(stream);
      streams.add(stream);
      const forget = () => {
        unsubscribe();
        streams.delete(stream);
      };
      reply.raw.once('close', forget);
      const lastEventId = request.headers['last-event-id'];
      let opening: FeedOpening;
      try {
        opening = await openingFor(
          core,
          typeof lastEventId === 'string' && POSITION.test(lastEventId) ? Number(lastEventId) : null,
        );
      } catch (error) {
        forget();
        throw error;
      }
      reply.hijack();
      if (reply.raw.destroyed) return forget();
      stream.open(opening, core.clock());
    }

    app.get(
      '/oauth/revocations',
      {
        schema: {
          summary:
            'The revocation feed: Server-Sent Events (snapshot, revocation, heartbeat), or one JSON page with since',
          tags: ['OAuth'],
          querystring: feedQuery,
          response: { 200: feedPage },
        },
      },
      async (request, reply) => {
        const client = await requireClient(core, presentedClient(request, {}), request.ip);
        const streaming = wantsStream(request.query.since, request.headers.accept);
        await authorizeFeedReader(core, client, requestContext(request), streaming ? 'stream' : 'poll');
        if (streaming) return openStream(request, reply);
        const { since } = request.query;
        const page = await openingFor(core, since === undefined ? null : Number(since));
        return reply.header('cache-control', 'no-store').send(page);
      },
    );
  };
}

import type { OAuthClient } from '../../store/client-store.js';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { OAuthError } from './oauth-error.js';

/**
 * Lets a client read the revocation feed (GET /oauth/revocations) if it holds the permission,
 * and records the use: every stream opened, and a poller's requests at most once a minute per
 * client and instance (a poller may ask every few seconds).
 */
export async function authorizeFeedReader(
  core: Core,
  client: OAuthClient,
  ctx: RequestContext,
  how: 'stream' | 'poll',
): Promise<void> {
  if (!client.canReadRevocations) {
    throw new OAuthError('unauthorized_client', 'This client may not read the revocation feed', { status: 403 });
  }
  if (how === 'poll' && !core.credentialCache.touchDue(`revocations:${client.id}`, core.clock())) return;
  await core.audit.record('oauth_revocation_feed_opened', ctx, null, { clientId: client.id, how });
}

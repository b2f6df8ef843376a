/**
 * The dashboard's one @latchkey/client. It runs in the browser's default refresh-cookie mode: the
 * access token lives in the client's memory only, the refresh token in an HttpOnly cookie the page
 * never sees, and the tabs of one browser refresh it once between them.
 */
import { createClient, type SessionEndReason } from '@latchkey/client';

const sessionEndListeners = new Set<(reason: SessionEndReason) => void>();

export const latchkey = createClient({
  onSessionEnd: (reason) => {
    for (const listener of sessionEndListeners) listener(reason);
  },
});

/** Called when the session ends: revoked elsewhere, refresh refused, or signed out (here or in another tab). */
export function onSessionEnded(listener: (reason: SessionEndReason) => void): () => void {
  sessionEndListeners.add(listener);
  return () => sessionEndListeners.delete(listener);
}

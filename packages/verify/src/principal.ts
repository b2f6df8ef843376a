import { VerifyError } from './errors.js';

/** Who presented a token, as Latchkey vouches for it. Times are epoch seconds. */
export interface Principal {
  /** `user` a login's access token, `client` a client-credentials token, `pat` a personal access token, `api_key` an ingest key. */
  kind: 'user' | 'client' | 'pat' | 'api_key';
  /** The user id; for a client token, the client id. */
  sub: string;
  /** What the token may do. A user's access token carries every scope Latchkey has. */
  scopes: readonly string[];
  /** The user's role (USER, ADMIN, ...): user tokens and PATs. */
  role?: string;
  /** The user's plan: user tokens. */
  plan?: string;
  /** The login session: user tokens. */
  sessionId?: string;
  /** The OAuth client: client tokens. */
  clientId?: string;
  /** The token's `jti`, or the PAT's or key's id. */
  tokenId: string;
  /** When the token expires; null for PATs and keys, which live until revoked. */
  expiresAt: number | null;
}

/** Throws INSUFFICIENT_SCOPE (403) unless `principal` holds `scope`. */
export function requireScope(principal: Principal, scope: string): void {
  if (!principal.scopes.includes(scope)) {
    throw new VerifyError('INSUFFICIENT_SCOPE', {
      message: `This token lacks the ${scope} scope`,
      requiredScope: scope,
    });
  }
}

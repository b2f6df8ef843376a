/** An OAuth client (a service account) as stored: the secret only as its hash. */
export interface OAuthClient {
  /** The client_id. */
  id: string;
  name: string;
  secretHash: string;
  /** The first characters of the current secret, to recognise it in a list. */
  secretPrefix: string;
  /** The scopes it may be granted (client credentials). */
  scopes: string[];
  /** May call /oauth/introspect (a resource server). */
  canIntrospect: boolean;
  /** May read /oauth/revocations (a resource server). */
  canReadRevocations: boolean;
  /** The ADMIN who registered it; null when the operator did (CLI). */
  createdBy: string | null;
  createdAt: number;
  /** When the current secret was set: tokens issued before it are refused. */
  secretRotatedAt: number;
  lastUsedAt: number | null;
}

export interface ClientStore {
  insert(client: OAuthClient): Promise<void>;
  findById(id: string): Promise<OAuthClient | null>;
  list(): Promise<OAuthClient[]>;
  /** Replaces the secret; returns the client as changed, or null when there is none. */
  replaceSecret(id: string, secret: { hash: string; prefix: string }, at: number): Promise<OAuthClient | null>;
  /** Returns the deleted client, or null when there was none. */
  delete(id: string): Promise<OAuthClient | null>;
  touch(id: string, at: number): Promise<void>;
}

/** What the verifier reads from Latchkey's RFC 8414 metadata. */
export interface Endpoints {
  issuer: string;
  jwksUri: string;
  introspection: string;
  feed: string;
  /** Every scope Latchkey has: what a user's access token carries. */
  scopes: readonly string[];
  /** The resources its access tokens are for (RFC 9728): the default audience. */
  resources: readonly string[];
}

/** Where RFC 8414 section 3.1 puts the metadata of `issuer`: the well-known path before the issuer's path. */
export function metadataUrl(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

/**
 * Fetches and checks the metadata: its `issuer` must be exactly the configured one (RFC 8414
 * section 3.3), or an attacker's document could name other endpoints and keys.
 */
export async function discover(issuer: string, fetchImpl: typeof fetch, timeoutMs: number): Promise<Endpoints> {
  const response = await fetchImpl(metadataUrl(issuer), {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`${metadataUrl(issuer)} answered ${response.status}`);
  }
  const document = (await response.json()) as Record<string, unknown>;
  if (document.issuer !== issuer) {
    throw new Error(`the metadata names the issuer ${JSON.stringify(document.issuer)}, not ${JSON.stringify(issuer)}`);
  }
  const url = (name: string): string => {
    const value = document[name];
    if (typeof value !== 'string' || !URL.canParse(value)) throw new Error(`the metadata has no ${name}`);
    return value;
  };
  const strings = (name: string): string[] => {
    const value = document[name];
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  };
  return {
    issuer,
    jwksUri: url('jwks_uri'),
    introspection: url('introspection_endpoint'),
    feed: url('revocation_feed_endpoint'),
    scopes: Object.freeze(strings('scopes_supported')),
    resources: Object.freeze(strings('protected_resources')),
  };
}

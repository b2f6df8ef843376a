import type { Answer, RequestBody } from './contract.js';
import { latchkey } from './latchkey.js';

/** A scope a personal access token may carry, as POST /api/v1/tokens accepts it. */
export type Scope = RequestBody<'/api/v1/tokens', 'post'>['scopes'][number];

export type PersonalAccessToken = Answer<'/api/v1/tokens', 'get'>[number];

export function listTokens(): Promise<PersonalAccessToken[]> {
  return latchkey.tokens.list();
}

/** The answer carries the secret once; it is never readable again. */
export function createToken(name: string, scopes: Scope[]): Promise<Answer<'/api/v1/tokens', 'post'>> {
  return latchkey.tokens.create(name, scopes);
}

export function revokeToken(id: string): Promise<Answer<'/api/v1/tokens/{id}', 'delete'>> {
  return latchkey.tokens.revoke(id);
}

/** The ingest key as the flat surface describes it. */
export type IngestKey = Answer<'/api/settings/api-key', 'get'>;

/** The current ingest key, or null when there is none. */
export function fetchIngestKey(): Promise<IngestKey | null> {
  return latchkey.keys.get();
}

/** `replace` confirms replacing the existing key, which stops working at once. */
export function generateIngestKey(replace: boolean): Promise<Answer<'/api/settings/api-key', 'post'>> {
  return latchkey.keys.create({ replace });
}

export function revokeIngestKey(): Promise<Answer<'/api/settings/api-key', 'delete'>> {
  return latchkey.keys.revoke();
}

import { ApiError, apiRequest } from './client.js';
import type { Answer, RequestBody } from './contract.js';

/** A scope a personal access token may carry, as POST /api/v1/tokens accepts it. */
export type Scope = RequestBody<'/api/v1/tokens', 'post'>['scopes'][number];

export type PersonalAccessToken = Answer<'/api/v1/tokens', 'get'>[number];

export function listTokens(): Promise<PersonalAccessToken[]> {
  return apiRequest('/api/v1/tokens');
}

/** The answer carries the secret once; it is never readable again. */
export function createToken(name: string, scopes: Scope[]): Promise<Answer<'/api/v1/tokens', 'post'>> {
  return apiRequest('/api/v1/tokens', { method: 'POST', body: { name, scopes } });
}

export function revokeToken(id: string): Promise<Answer<'/api/v1/tokens/{id}', 'delete'>> {
  return apiRequest(`/api/v1/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** The ingest key as the flat surface describes it. */
export type IngestKey = Answer<'/api/settings/api-key', 'get'>;

/** The current ingest key, or null when there is none. */
export async function fetchIngestKey(): Promise<IngestKey | null> {
  try {
    return await apiRequest<IngestKey>('/api/settings/api-key');
  } catch (error) {
    if (error instanceof ApiError && error.code === 'API_KEY_NOT_FOUND') return null;
    throw error;
  }
}

/** `replace` confirms replacing the existing key, which stops working at once. */
export function generateIngestKey(replace: boolean): Promise<Answer<'/api/settings/api-key', 'post'>> {
  return apiRequest('/api/settings/api-key', { method: 'POST', body: replace ? { replace: true } : {} });
}

export function revokeIngestKey(): Promise<Answer<'/api/settings/api-key', 'delete'>> {
  return apiRequest('/api/settings/api-key', { method: 'DELETE' });
}

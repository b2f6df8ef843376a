import { ApiError, apiRequest } from './client.js';

export const SCOPES = ['agents:read', 'agents:write', 'voicelogs:read'] as const;
export type Scope = (typeof SCOPES)[number];

export interface PersonalAccessToken {
  id: string;
  name: string;
  scopes: string[];
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export function listTokens(): Promise<PersonalAccessToken[]> {
  return apiRequest('/api/v1/tokens');
}

/** The answer carries the secret once; it is never readable again. */
export function createToken(name: string, scopes: Scope[]): Promise<PersonalAccessToken & { token: string }> {
  return apiRequest('/api/v1/tokens', { method: 'POST', body: { name, scopes } });
}

export function revokeToken(id: string): Promise<{ revoked: true }> {
  return apiRequest(`/api/v1/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** The ingest key as the flat surface describes it. */
export interface IngestKey {
  id: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
}

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
export function generateIngestKey(replace: boolean): Promise<IngestKey & { api_key: string }> {
  return apiRequest('/api/settings/api-key', { method: 'POST', body: replace ? { replace: true } : {} });
}

export function revokeIngestKey(): Promise<{ detail: string }> {
  return apiRequest('/api/settings/api-key', { method: 'DELETE' });
}

import { apiRequest } from './client.js';
import type { Answer } from './contract.js';

export type Agent = Answer<'/api/v1/agents', 'get'>[number];

export function listAgents(limit: number, offset: number): Promise<Agent[]> {
  return apiRequest(`/api/v1/agents?limit=${limit}&offset=${offset}`);
}

export type VoiceLogPage = Answer<'/api/voicelogs', 'get'>;
export type VoiceLog = VoiceLogPage['items'][number];

export function listVoiceLogs(page: number, pageSize: number): Promise<VoiceLogPage> {
  return apiRequest(`/api/voicelogs?page=${page}&page_size=${pageSize}`);
}

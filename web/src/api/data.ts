import type { Answer } from './contract.js';
import { latchkey } from './latchkey.js';

export type Agent = Answer<'/api/v1/agents', 'get'>[number];

export function listAgents(limit: number, offset: number): Promise<Agent[]> {
  return latchkey.request('get', '/api/v1/agents', { query: { limit, offset } });
}

export type VoiceLogPage = Answer<'/api/voicelogs', 'get'>;
export type VoiceLog = VoiceLogPage['items'][number];

export function listVoiceLogs(page: number, pageSize: number): Promise<VoiceLogPage> {
  return latchkey.request('get', '/api/voicelogs', { query: { page, page_size: pageSize } });
}

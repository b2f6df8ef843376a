import { apiRequest } from './client.js';

export interface Agent {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export function listAgents(limit: number, offset: number): Promise<Agent[]> {
  return apiRequest(`/api/v1/agents?limit=${limit}&offset=${offset}`);
}

export interface VoiceLog {
  id: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  created_at: string;
  metadata: Record<string, string>;
}

export interface VoiceLogPage {
  items: VoiceLog[];
  total: number;
  page: number;
  page_size: number;
}

export function listVoiceLogs(page: number, pageSize: number): Promise<VoiceLogPage> {
  return apiRequest(`/api/voicelogs?page=${page}&page_size=${pageSize}`);
}

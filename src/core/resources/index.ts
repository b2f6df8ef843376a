export * from './agents.js';
export * from './voice-logs.js';

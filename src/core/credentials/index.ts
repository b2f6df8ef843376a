export * from './authenticate.js';
export * from './credential-cache.js';
export * from './credential-format.js';
export * from './credentials.js';
export * from './ingest-keys.js';

export * from './client-credentials.js';
export * from './clients.js';
export * from './introspection.js';
export * from './oauth-error.js';
export * from './token-revocation.js';
export * from './client-authentication.js';
export * from './revocation-feed-access.js';

export * from './denylist.js';
export * from './revocation-feed.js';

export * from './denylist.js';

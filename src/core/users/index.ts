export * from './caller-profile.js';
export * from './user-admin.js';
export * from './user.js';
export * from './users.js';

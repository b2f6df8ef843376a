export * from './after-restore.js';
export * from './login.js';
export * from './password-change.js';
export * from './password-reset.js';
export * from './session-management.js';
export * from './sessions.js';
export * from './sign-up.js';
export * from './step-up.js';

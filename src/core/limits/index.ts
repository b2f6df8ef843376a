export * from './device-cookies.js';
export * from './lockout.js';
export * from './login-limits.js';
export * from './rate-limit-subject.js';
export * from './unlock-account.js';

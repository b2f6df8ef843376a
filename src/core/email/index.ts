export * from './email-change.js';
export * from './email-tokens.js';
export * from './email-verification.js';
export * from './mailer.js';
export * from './outgoing.js';
export * from './password-reset-link.js';

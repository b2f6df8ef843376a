export * from './assertion.js';
export * from './challenges.js';
export * from './management.js';
export * from './passkey-confirmation.js';
export * from './passkey-login.js';
export * from './registration.js';
export * from './relying-party.js';
export * from './sign-in-methods.js';

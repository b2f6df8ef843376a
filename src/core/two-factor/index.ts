export * from './recovery-codes.js';
export * from './totp.js';
export * from './two-factor.js';

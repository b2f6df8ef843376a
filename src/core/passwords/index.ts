export * from './password-check.js';
export * from './password-hasher.js';
export * from './password-policy.js';
export * from './hash-admission.js';

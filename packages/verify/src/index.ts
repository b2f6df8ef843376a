export { type Principal, requireScope } from './principal.js';
export { VERIFY_ERRORS, VerifyError, type VerifyErrorCode } from './errors.js';
export { createVerifier, type Verifier, type VerifierOptions, type VerifierStatus } from './verifier.js';
export { refusalOf, type Refusal } from './refusal.js';
export type { FeedEntry } from './revoked-set.js';

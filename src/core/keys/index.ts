export * from './secret-box.js';
export * from './signing-keys.js';
export * from './tokens.js';

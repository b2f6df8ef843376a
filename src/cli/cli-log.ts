import type { StoreLog } from '../store/open-stores.js';

/** What the stores report during a command goes to stderr, so stdout keeps only the answer. */
export const CLI_LOG: StoreLog = {
  warn: (message) => console.error(`latchkey: ${message}`),
  info: (message) => console.error(`latchkey: ${message}`),
};

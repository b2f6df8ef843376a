import type { Clock } from '../core/index.js';

/** The wall clock, for the server and the CLI; tests inject their own. */
export const systemClock: Clock = () => Date.now();

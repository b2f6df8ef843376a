/** Milliseconds since the epoch. Injected everywhere so tests control time. */
export type Clock = () => number;

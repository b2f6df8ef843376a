import { performance } from 'node:perf_hooks';
import { afterEach } from 'vitest';
import { createVerifier, type Verifier, type VerifierOptions, VerifyError } from '../../src/index.js';
import { recordingFetch } from './network.js';

/**
 * Verifiers made by `make` are closed after each test. Each records its network calls; with
 * `through`, they go to that origin (a Relay) instead of the issuer's, with `feedThrough` only
 * the revocation feed's.
 */
export function useVerifiers() {
  const open: Verifier[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((verifier) => verifier.close()));
  });
  return async function make(
    options: Omit<VerifierOptions, 'fetch'> & { through?: string; feedThrough?: string; ready?: boolean },
  ): Promise<{ verifier: Verifier; network: ReturnType<typeof recordingFetch> }> {
    const { through, feedThrough, ready = true, ...rest } = options;
    const network = recordingFetch((url) => {
      const relay = new URL(url).pathname === '/oauth/revocations' ? (feedThrough ?? through) : through;
      return relay && url.startsWith(rest.issuer) ? relay + url.slice(rest.issuer.length) : url;
    });
    const verifier = createVerifier({ ...rest, fetch: network.fetch });
    open.push(verifier);
    if (ready) await verifier.ready();
    return { verifier, network };
  };
}

/** The VerifyError `promise` rejects with (fails the test when it resolves or throws something else). */
export async function refusal(promise: Promise<unknown>): Promise<VerifyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VerifyError) return error;
    throw error;
  }
  throw new Error('expected a refusal, got a principal');
}

/**
 * Verifies `token` every few milliseconds until it is refused with `code`; returns how long that
 * took (ms). Fails once `withinMs` have passed.
 */
export async function timeUntilRefused(
  verifier: Verifier,
  token: string,
  code: VerifyError['code'],
  withinMs = 1_000,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    try {
      await verifier.verify(`Bearer ${token}`);
    } catch (error) {
      if (error instanceof VerifyError && error.code === code) return performance.now() - start;
      throw error;
    }
    if (performance.now() - start > withinMs) throw new Error(`still accepted after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves once `condition` holds, checking every 20 ms; fails after `withinMs`. */
export async function eventually(condition: () => boolean, withinMs: number, what: string): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

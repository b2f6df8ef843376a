// What authentication itself costs per request, measured in-process (no HTTP, no load generator):
// the same core functions the guard calls, on warm caches, as a request after the first one sees.
import { authenticateBearer, authenticateIngestKey } from '../dist/core/index.js';

const WARMUP = 2_000;
const ROUNDS = 50_000;

async function microsPerCall(fn) {
  for (let i = 0; i < WARMUP; i++) await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) await fn();
  return Number(process.hrtime.bigint() - start) / ROUNDS / 1000;
}

/** Microseconds per authentication, for each credential the bench minted. */
export async function measureGuardCost(core, tokens) {
  return {
    jwtMicros: await microsPerCall(() => authenticateBearer(core, tokens.accessToken)),
    patMicros: await microsPerCall(() => authenticateBearer(core, tokens.personalAccessToken)),
    apiKeyMicros: await microsPerCall(() => authenticateIngestKey(core, tokens.ingestKey)),
  };
}

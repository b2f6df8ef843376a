// Run by verify.js with --expose-gc: how much heap a verifier holding the feed's snapshot uses.
import { performance } from 'node:perf_hooks';
import { createVerifier } from '@latchkey/verify';

function heapUsed() {
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
}

process.once('message', async ({ issuer, clientId, clientSecret, expected }) => {
  const before = heapUsed();
  const start = performance.now();
  const verifier = createVerifier({ issuer, clientId, clientSecret });
  await verifier.ready(60_000);
  const loadedMs = performance.now() - start;
  const held = verifier.status().revocations;
  const heapDelta = heapUsed() - before;
  await verifier.close();
  process.send({ held, expected, heapDeltaBytes: heapDelta, bytesPerEntry: heapDelta / held, loadedMs }, () =>
    process.exit(0),
  );
});

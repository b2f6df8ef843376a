import { verifier } from './verifier.js';

/** The port to listen on: PORT, else 4000. */
export const port = Number(process.env.PORT ?? 4000);

/**
 * Says where the service listens (one JSON line on stdout, which the end-to-end test reads) and
 * closes `server` and the verifier on SIGTERM or SIGINT.
 */
export function announce(framework, close) {
  console.log(JSON.stringify({ framework, listening: `http://127.0.0.1:${port}` }));
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, async () => {
      await close();
      await verifier.close();
    });
  }
}

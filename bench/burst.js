// Many clients logging in at once, each honouring Retry-After when refused (what autocannon cannot
// do: it would resend a refused request at once, a flood no real client makes). Runs in a process
// of its own, like load-client.js, so its work lands on neither the event loop nor the heap of
// the server under test.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function run({ url, body, clients, seconds }) {
  const until = performance.now() + seconds * 1000;
  const admitted = [];
  const statusCodes = {};
  let retryAfterMissing = 0;
  async function client() {
    while (performance.now() < until) {
      const started = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      statusCodes[res.status] = (statusCodes[res.status] ?? 0) + 1;
      if (res.status === 200) admitted.push(performance.now() - started);
      else if (res.status === 503) {
        const wait = Number(res.headers.get('retry-after'));
        if (!(wait > 0)) retryAfterMissing++;
        await delay(Math.max(0, Math.min((wait > 0 ? wait : 1) * 1000, until - performance.now())));
      }
    }
  }
  await Promise.all(Array.from({ length: clients }, client));
  const sorted = Float64Array.from(admitted).sort();
  const answered = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    clients,
    admitted: sorted.length,
    refused: statusCodes[503] ?? 0,
    other: answered - sorted.length - (statusCodes[503] ?? 0),
    retryAfterMissing,
    admittedPerSecond: sorted.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    statusCodes,
  };
}

/**
 * `clients` clients posting `body` (JSON) to `url` for `seconds`, each waiting Retry-After after a
 * 503: the admitted logins' latencies (ms) and how many were refused or failed otherwise.
 */
export function burst(options) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', resolve);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bench: burst client exited with ${code}`));
    });
    child.send({ ...options, body: JSON.stringify(options.body) });
  });
}

if (process.argv[2] === 'child') {
  process.once('message', async (options) => {
    const summary = await run(options);
    process.send(summary, () => process.exit(0));
  });
}

// One autocannon run, summarised to what the report needs.
import autocannon from 'autocannon';

const HOST_PREFIX = 'http://127.0.0.1:';

/**
 * The load generator runs in its own worker thread (`workers: 1`), so its own CPU cost is not
 * charged to the event loop of the servers under test (they live in this process's main thread).
 * Set BENCH_CLIENT_WORKERS=0 to run it on the main thread instead.
 */
const WORKERS = Number(process.env.BENCH_CLIENT_WORKERS ?? 1);

/**
 * Runs autocannon for `seconds` against `url` (which must be on 127.0.0.1) and returns
 * `{ name, connections, requests, rps, p50, p99, max, non2xx, errors, timeouts, statusCodes }`.
 * Every run is bounded by `duration`; there is no amount-based or open-ended mode.
 */
export async function load({ name, url, seconds, connections = 10, method = 'GET', headers = {}, body }) {
  if (!url.startsWith(HOST_PREFIX)) throw new Error(`bench: refusing to load ${url}; only ${HOST_PREFIX}* is allowed`);
  const result = await autocannon({
    url,
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    connections,
    duration: seconds,
    timeout: 10,
    ...(WORKERS > 0 ? { workers: WORKERS } : {}),
  });
  // requests.total counts completed requests; per-second sample histograms are not reliable in
  // workers mode, so the rate is the total over the measured duration.
  const requests = result.requests.total;
  return {
    name,
    connections,
    seconds: result.duration,
    requests,
    rps: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
  };
}

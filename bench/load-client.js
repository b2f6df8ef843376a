// The load generator, in a process of its own (see load.js): receives autocannon's options over
// IPC, runs them, and sends back the summary.
import autocannon from 'autocannon';

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

process.once('message', async (options) => {
  // autocannon's own histogram keeps whole milliseconds, too coarse for responses that take a
  // fraction of one; each 2xx response's time (from process.hrtime) is kept here instead.
  const latencies = [];
  const instance = autocannon(options);
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  const requests = result.requests.total;
  process.send(
    {
      seconds: result.duration,
      requests,
      rps: requests / result.duration,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.length > 0 ? sorted[sorted.length - 1] : 0,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
    },
    () => process.exit(0),
  );
});

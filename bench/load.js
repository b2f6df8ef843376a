// One autocannon run, summarised to what the report needs.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HOST_PREFIX = 'http://127.0.0.1:';
const CLIENT = fileURLToPath(new URL('./load-client.js', import.meta.url));

/**
 * Runs autocannon for `seconds` against `url` (which must be on 127.0.0.1) and returns
 * `{ name, connections, requests, rps, p50, p99, max, non2xx, errors, timeouts, statusCodes }`,
 * latencies in milliseconds to the microsecond. The load generator runs in a process of its own
 * (load-client.js), so none of its work lands on the event loop or the heap of the servers under
 * test. Every run is bounded by `duration`; there is no amount-based or open-ended mode.
 */
export function load({ name, url, seconds, connections = 10, method = 'GET', headers = {}, body, form }) {
  if (!url.startsWith(HOST_PREFIX)) throw new Error(`bench: refusing to load ${url}; only ${HOST_PREFIX}* is allowed`);
  // `body` is sent as JSON, `form` as application/x-www-form-urlencoded (the /oauth/* endpoints).
  const encoded =
    form !== undefined
      ? { type: 'application/x-www-form-urlencoded', text: new URLSearchParams(form).toString() }
      : body !== undefined
        ? { type: 'application/json', text: JSON.stringify(body) }
        : undefined;
  const options = {
    url,
    method,
    headers: encoded === undefined ? headers : { 'content-type': encoded.type, ...headers },
    ...(encoded === undefined ? {} : { body: encoded.text }),
    connections,
    duration: seconds,
    timeout: 10,
  };
  return new Promise((resolve, reject) => {
    const client = fork(CLIENT, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    client.once('message', (summary) => resolve({ name, connections, ...summary }));
    client.once('error', reject);
    client.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bench: load client for ${name} exited with ${code}`));
    });
    client.send(options);
  });
}

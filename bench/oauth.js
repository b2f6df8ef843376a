// The OAuth endpoints under load: client-credentials issuance and introspection (req/s), and the
// revocation feed's delivery latency under a steady stream of revocations.
import { registerClient } from '../dist/core/index.js';
import { load } from './load.js';

const OPERATOR = { userId: null, ctx: { ip: '127.0.0.1', userAgent: 'latchkey-bench' } };
const FEED_REVOCATIONS_PER_SECOND = 100;

function basic(client, secret) {
  return `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

async function postForm(url, form, authorization) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** A resource-server client (introspection and the feed), its secret and its Basic credentials. */
export async function registerBenchClient(core) {
  const { client, secret } = await registerClient(
    core,
    { name: 'bench', scopes: ['agents:read'], canIntrospect: true, canReadRevocations: true },
    OPERATOR,
  );
  return { client, secret, authorization: basic(client, secret) };
}

/** Token issuance and introspection of a PAT and a JWT, each a load scenario. */
export async function runOAuthScenarios(baseUrl, bench, tokens, seconds) {
  const headers = { authorization: bench.authorization };
  return {
    clientToken: await load({
      name: 'POST /oauth/token (client credentials)',
      url: `${baseUrl}/oauth/token`,
      method: 'POST',
      headers,
      form: { grant_type: 'client_credentials' },
      seconds,
    }),
    introspectPat: await load({
      name: 'POST /oauth/introspect (PAT)',
      url: `${baseUrl}/oauth/introspect`,
      method: 'POST',
      headers,
      form: { token: tokens.personalAccessToken },
      seconds,
    }),
    introspectJwt: await load({
      name: 'POST /oauth/introspect (JWT)',
      url: `${baseUrl}/oauth/introspect`,
      method: 'POST',
      headers,
      form: { token: tokens.accessToken },
      seconds,
    }),
  };
}

/** Calls `onEvent(data)` for each SSE `revocation` event of the feed until the returned stop is called. */
async function subscribe(baseUrl, authorization, onEvent) {
  const abort = new AbortController();
  const response = await fetch(`${baseUrl}/oauth/revocations`, {
    headers: { authorization, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  if (!response.ok) throw new Error(`GET /oauth/revocations: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ done: true }));
      if (done) return;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n');
        if (event === 'revocation') onEvent(JSON.parse(data));
        end = buffer.indexOf('\n\n');
      }
    }
  })();
  return async () => {
    abort.abort();
    await pump;
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * The feed's delivery latency: client tokens revoked through /oauth/revoke at
 * FEED_REVOCATIONS_PER_SECOND for `seconds`, each timed from the revoke request's start to its
 * event's arrival at a subscriber on the same instance. Milliseconds.
 */
export async function measureFeedLatency(baseUrl, bench, seconds) {
  const count = Math.max(100, Math.round(seconds * FEED_REVOCATIONS_PER_SECOND));
  const issued = [];
  for (let i = 0; i < count; i++) {
    const { access_token: token } = await postForm(
      `${baseUrl}/oauth/token`,
      { grant_type: 'client_credentials' },
      bench.authorization,
    );
    const jti = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).jti;
    issued.push({ token, jti });
  }
  const sentAt = new Map();
  const arrivals = new Map();
  const stop = await subscribe(baseUrl, bench.authorization, (event) => {
    if (!arrivals.has(event.id)) arrivals.set(event.id, performance.now());
  });
  const interval = 1000 / FEED_REVOCATIONS_PER_SECOND;
  const start = performance.now();
  await Promise.all(
    issued.map(async ({ token, jti }, i) => {
      const due = start + i * interval;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      // From the request's start: the event is announced before the answer is written, so it
      // often arrives first, and timing from the answer would read 0.
      sentAt.set(jti, performance.now());
      await postForm(`${baseUrl}/oauth/revoke`, { token }, bench.authorization);
    }),
  );
  const deadline = performance.now() + 5_000;
  while (arrivals.size < issued.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await stop();
  const latencies = Float64Array.from(
    issued.filter(({ jti }) => arrivals.has(jti)).map(({ jti }) => arrivals.get(jti) - sentAt.get(jti)),
  ).sort();
  return {
    revocations: issued.length,
    delivered: latencies.length,
    p50: latencies.length ? percentile(latencies, 50) : Number.NaN,
    p99: latencies.length ? percentile(latencies, 99) : Number.NaN,
  };
}

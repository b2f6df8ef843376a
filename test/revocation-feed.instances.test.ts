import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, PASSWORD, registerV1 } from './helpers/api.js';
import { cliEnv, run, Served } from './helpers/cli.js';
import { feedReader, jtiOf, listening, openFeed } from './helpers/feed.js';
import { uniqueEmail, useServer, useServers } from './helpers/server.js';
import { embeddedTarget, postgresTarget } from './helpers/targets.js';

const REVOCATIONS = 100;

/** The value below which `share` of `values` lie (nearest rank). */
function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(share * sorted.length) - 1]!;
}

describe('the revocation feed across two instances on PostgreSQL + Redis', () => {
  const {
    servers: [a, b],
  } = useServers(() => postgresTarget(), [], []);

  it(`delivers to a subscriber of B each of ${REVOCATIONS} logouts answered by A within 1 s (p99)`, async () => {
    const [baseA, baseB] = [await listening(a), await listening(b)];
    const { authorization } = await feedReader(a);
    // One account per logout (a login is counted before its password is checked, so parallel
    // logins to one account would meet its lockout).
    const tokens: string[] = [];
    while (tokens.length < REVOCATIONS) {
      const logins = await Promise.all(Array.from({ length: 10 }, () => registerV1(caller(a), uniqueEmail('promise'))));
      for (const login of logins) tokens.push(login.token);
    }
    const feed = await openFeed(baseB, authorization);
    try {
      await feed.next((e) => e.event === 'snapshot');
      const latencies: number[] = [];
      const sinceSent: number[] = [];
      for (const token of tokens) {
        const sentAt = performance.now();
        const res = await fetch(`${baseA}/api/v1/auth/logout`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
        });
        const answeredAt = performance.now();
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        const event = await feed.revocation('token', jtiOf(token));
        // The event may even arrive before the logout's answer is read: that counts as no delay.
        latencies.push(Math.max(0, event.at - answeredAt));
        sinceSent.push(event.at - sentAt);
      }
      const [p50, p99] = [percentile(latencies, 0.5), percentile(latencies, 0.99)];
      const ms = (value: number) => `${value.toFixed(1)} ms`;
      console.info(
        `revocation feed, B's subscriber, after A answered: p50 ${ms(p50)}, p99 ${ms(p99)}; ` +
          `after the logout was sent: p50 ${ms(percentile(sinceSent, 0.5))}, p99 ${ms(percentile(sinceSent, 0.99))}`,
      );
      expect(p99).toBeLessThan(1_000);
    } finally {
      feed.close();
    }
  });
});

describe('the revocation feed of the embedded default, fed by other processes on the DATA_DIR', () => {
  const { server, target } = useServer(embeddedTarget);
  let served: Served | undefined;
  afterAll(async () => {
    await served?.stop();
  });
  let base: string;
  let authorization: string;
  beforeAll(async () => {
    base = await listening(server);
    ({ authorization } = await feedReader(server));
  });

  it('sends a user disabled by the CLI (latchkey user disable) to a connected subscriber', async () => {
    const email = uniqueEmail('cli');
    const login = await registerV1(caller(server), email);
    const feed = await openFeed(base, authorization);
    try {
      await feed.next((e) => e.event === 'snapshot');
      const disabled = await run(['user', 'disable', '--email', email], cliEnv(target.env.DATA_DIR!));
      expect(disabled.code, disabled.stderr).toBe(0);
      await feed.revocation('user', login.user.id);
    } finally {
      feed.close();
    }
  });

  it('sends a logout answered by a second server on the same DATA_DIR', async () => {
    served = await Served.start(target.env.DATA_DIR!);
    const email = uniqueEmail('second');
    const signedUp = await served.post('/api/v1/auth/register', { email, password: PASSWORD });
    expect(signedUp.status).toBe(201);
    const feed = await openFeed(base, authorization);
    try {
      await feed.next((e) => e.event === 'snapshot');
      const token = signedUp.body.data.token as string;
      expect((await served.post('/api/v1/auth/logout', undefined, token)).status).toBe(200);
      await feed.revocation('token', jtiOf(token));
    } finally {
      feed.close();
    }
  });
});

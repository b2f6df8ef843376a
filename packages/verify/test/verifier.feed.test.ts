import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { embeddedTarget, type StorageTarget } from '../../../test/helpers/targets.js';
import { logout, newUser, registerResourceServer, type ServedLatchkey, serveLatchkey } from './helpers/latchkey.js';
import { Relay } from './helpers/network.js';
import { eventually, refusal, timeUntilRefused, useVerifiers } from './helpers/verifier.js';

// Latchkey sends a heartbeat every second here (TEST_ENV); two seconds of silence is stale.
const STALE_AFTER_SECONDS = 2;
const RECONNECT = { initialDelayMs: 100, maxDelayMs: 400 };

describe('@latchkey/verify when the revocation feed goes quiet, drops or resumes', () => {
  let target: StorageTarget;
  let latchkey: ServedLatchkey;
  let client: { clientId: string; clientSecret: string };
  let relay: Relay;
  const make = useVerifiers();
  const verifierVia = (options: {
    feedOnly: boolean;
    onStale?: 'introspect' | 'refuse';
    maxStalenessSeconds?: number;
  }) =>
    make({
      issuer: latchkey.base,
      ...client,
      ...(options.feedOnly ? { feedThrough: relay.origin } : { through: relay.origin }),
      maxStalenessSeconds: options.maxStalenessSeconds ?? STALE_AFTER_SECONDS,
      onStale: options.onStale ?? 'introspect',
      reconnect: RECONNECT,
      requestTimeoutMs: 500,
    });

  beforeAll(async () => {
    target = embeddedTarget();
    latchkey = await serveLatchkey(target);
    client = await registerResourceServer(latchkey.server);
  });
  beforeAll(async () => {
    relay = await Relay.start(latchkey.port);
  });
  afterEach(() => {
    relay.thaw();
    relay.accept();
  });
  afterAll(async () => {
    await relay?.close();
    await latchkey?.server.close();
    await target?.dispose();
  });

  it('falls back to introspection for each request while the feed is silent, and back to local checks after', async () => {
    const { verifier, network } = await verifierVia({ feedOnly: true });
    const user = await newUser(latchkey.server);
    await verifier.verify(user.token);
    expect(network.count('/oauth/introspect')).toBe(0);

    relay.freeze();
    await eventually(() => !verifier.status().fresh, 5_000, 'the verifier noticed the silence');
    await verifier.verify(user.token);
    await verifier.verify(user.token);
    expect(network.count('/oauth/introspect')).toBe(2);
    // A logout the silent feed cannot bring is still refused, by Latchkey's own answer.
    await logout(latchkey.base, user.token);
    expect((await refusal(verifier.verify(user.token))).code).toBe('TOKEN_REVOKED');

    relay.thaw();
    await eventually(() => verifier.status().fresh, 5_000, 'the feed is current again');
    const other = await newUser(latchkey.server);
    const asked = network.count('/oauth/introspect');
    await verifier.verify(other.token);
    await verifier.verify(other.token);
    expect(network.count('/oauth/introspect')).toBe(asked);
  });

  it("refuses with AUTH_UNAVAILABLE (503) while the feed is silent when onStale is 'refuse'", async () => {
    const { verifier, network } = await verifierVia({ feedOnly: true, onStale: 'refuse' });
    const user = await newUser(latchkey.server);
    await verifier.verify(user.token);
    relay.freeze();
    await eventually(() => !verifier.status().fresh, 5_000, 'the verifier noticed the silence');
    for (const token of [user.token, user.pat]) {
      const error = await refusal(verifier.verify(token));
      expect({ code: error.code, status: error.status }).toEqual({ code: 'AUTH_UNAVAILABLE', status: 503 });
    }
    expect(network.count('/oauth/introspect')).toBe(0);
    relay.thaw();
    await eventually(() => verifier.status().fresh, 5_000, 'the feed is current again');
    expect((await verifier.verify(user.token)).sub).toBe(user.id);
  });

  it('refuses with AUTH_UNAVAILABLE when Latchkey stops answering altogether, and recovers by itself', async () => {
    const { verifier, network } = await verifierVia({ feedOnly: false });
    const user = await newUser(latchkey.server);
    await verifier.verify(user.token);
    const feedConnections = network.count('/oauth/revocations');
    relay.freeze();
    await eventually(() => !verifier.status().fresh, 5_000, 'the verifier noticed the silence');
    // Introspection cannot answer either: refused, never let through.
    expect((await refusal(verifier.verify(user.token))).code).toBe('AUTH_UNAVAILABLE');
    // The silent connection was dropped and a new one tried.
    await eventually(() => network.count('/oauth/revocations') > feedConnections, 5_000, 'a reconnection');
    relay.thaw();
    await eventually(() => verifier.status().fresh, 5_000, 'the feed is current again');
    expect((await verifier.verify(user.token)).sub).toBe(user.id);
  });

  it('reconnects with Last-Event-ID after a drop and catches up on what was revoked meanwhile', async () => {
    // Never stale in this test: the refusal can only come from the feed's catch-up.
    const { verifier, network } = await verifierVia({ feedOnly: true, maxStalenessSeconds: 60 });
    const user = await newUser(latchkey.server);
    await verifier.verify(user.token);
    const before = verifier.status().lastEventId;
    expect(before).toMatch(/^\d+$/);

    relay.cut({ refuse: true });
    await logout(latchkey.base, user.token);
    relay.accept();
    expect(await timeUntilRefused(verifier, user.token, 'TOKEN_REVOKED', 10_000)).toBeLessThan(10_000);
    expect(network.count('/oauth/introspect')).toBe(0);

    const feedCalls = network.calls.filter((call) => new URL(call.url).pathname === '/oauth/revocations');
    expect(feedCalls[0]!.headers.get('last-event-id')).toBeNull();
    const resumed = feedCalls.at(-1)!.headers.get('last-event-id');
    expect(Number(resumed)).toBeGreaterThanOrEqual(Number(before));
    expect(Number(verifier.status().lastEventId)).toBeGreaterThan(Number(resumed));
  });

  it('refuses with AUTH_UNAVAILABLE after close(), and stops its feed', async () => {
    const { verifier } = await verifierVia({ feedOnly: true });
    const user = await newUser(latchkey.server);
    await verifier.verify(user.token);
    await verifier.close();
    expect(verifier.status().fresh).toBe(false);
    expect((await refusal(verifier.verify(user.token))).code).toBe('AUTH_UNAVAILABLE');
  });
});

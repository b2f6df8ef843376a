import { describe, expect, it } from 'vitest';
import {
  authenticateBearer,
  authenticateClient,
  issueClientToken,
  registerClient,
  rotateClientSecret,
} from '../src/core/index.js';
import { manualClock } from './helpers/clock.js';
import { useServer } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';

const OPERATOR = { userId: null, ctx: { ip: '127.0.0.1', userAgent: 'test' } };
const PERMISSIONS = { scopes: ['agents:read'] as const, canIntrospect: false, canReadRevocations: false };

describe.each(TARGETS)('rotating a client secret on $name', ({ create }) => {
  // Mid-second, where a token's iat (whole seconds) and the rotation's time (ms) differ most.
  const clock = manualClock(Date.UTC(2026, 11, 7, 12, 0, 0, 400));
  const { server } = useServer(create, {}, clock);

  async function bearer(token: string) {
    return authenticateBearer(server.core, token).then(
      () => 'accepted',
      (error: { code: string }) => error.code,
    );
  }

  it('refuses a token issued in the same second as the client, rotated at that very instant', async () => {
    const { client } = await registerClient(server.core, { name: 'same-second', ...PERMISSIONS }, OPERATOR);
    const before = await issueClientToken(server.core, client, undefined);
    const { client: rotated, secret } = await rotateClientSecret(server.core, client.id, OPERATOR);
    expect(await bearer(before.accessToken)).toBe('TOKEN_REVOKED');

    const after = await issueClientToken(server.core, rotated, undefined);
    expect(await bearer(after.accessToken)).toBe('accepted');
    expect(await authenticateClient(server.core, client.id, secret)).not.toBeNull();
  });

  it('refuses the token of the first rotation when a second follows at once', async () => {
    const { client } = await registerClient(server.core, { name: 'twice', ...PERMISSIONS }, OPERATOR);
    const { client: first } = await rotateClientSecret(server.core, client.id, OPERATOR);
    const between = await issueClientToken(server.core, first, undefined);
    expect(await bearer(between.accessToken)).toBe('accepted');
    await rotateClientSecret(server.core, client.id, OPERATOR);
    expect(await bearer(between.accessToken)).toBe('TOKEN_REVOKED');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateClientSecret, setUserDisabled } from '../../../src/core/index.js';
import { embeddedTarget, type StorageTarget } from '../../../test/helpers/targets.js';
import { requireScope } from '../src/index.js';
import {
  clientCredentialsToken,
  logout,
  newUser,
  registerResourceServer,
  revokePat,
  type ServedLatchkey,
  serveLatchkey,
} from './helpers/latchkey.js';
import { refusal, timeUntilRefused, useVerifiers } from './helpers/verifier.js';

describe('@latchkey/verify against a real Latchkey (embedded default)', () => {
  let target: StorageTarget;
  let latchkey: ServedLatchkey;
  let client: { clientId: string; clientSecret: string };
  const make = useVerifiers();
  const verifierFor = () => make({ issuer: latchkey.base, ...client });

  beforeAll(async () => {
    target = embeddedTarget();
    latchkey = await serveLatchkey(target);
    client = await registerResourceServer(latchkey.server, { scopes: ['agents:read', 'agents:write'] });
  });
  afterAll(async () => {
    await latchkey?.server.close();
    await target?.dispose();
  });

  it("accepts a user's access token, verified locally: the principal, and no network call once verified", async () => {
    const { verifier, network } = await verifierFor();
    const user = await newUser(latchkey.server);
    const principal = await verifier.verify(`Bearer ${user.token}`);
    expect(principal).toMatchObject({
      kind: 'user',
      sub: user.id,
      role: 'USER',
      plan: expect.any(String),
      sessionId: expect.any(String),
      tokenId: expect.any(String),
      expiresAt: expect.any(Number),
    });
    expect(principal.scopes).toEqual(['agents:read', 'agents:write', 'voicelogs:read']);
    expect(network.count('/oauth/introspect')).toBe(0);
    const calls = network.calls.length;
    for (let i = 0; i < 20; i++) await verifier.verify(user.token);
    expect(network.calls.length).toBe(calls);
  });

  it('refuses the token within 1 s of its logout with TOKEN_REVOKED, without a network call per request', async () => {
    const { verifier, network } = await verifierFor();
    const user = await newUser(latchkey.server);
    await verifier.verify(`Bearer ${user.token}`);
    const calls = network.calls.length;
    await logout(latchkey.base, user.token);
    const elapsed = await timeUntilRefused(verifier, user.token, 'TOKEN_REVOKED');
    expect(elapsed).toBeLessThan(1_000);
    expect(network.calls.length).toBe(calls);
    const error = await refusal(verifier.verify(`Bearer ${user.token}`));
    expect({ code: error.code, status: error.status }).toEqual({ code: 'TOKEN_REVOKED', status: 401 });
  });

  it('checks a PAT by introspection, caches the answer, and refuses it within 1 s of its revocation', async () => {
    const { verifier, network } = await verifierFor();
    const user = await newUser(latchkey.server, ['agents:read']);
    const principal = await verifier.verify(`Bearer ${user.pat}`);
    expect(principal).toMatchObject({
      kind: 'pat',
      sub: user.id,
      scopes: ['agents:read'],
      role: 'USER',
      expiresAt: null,
    });
    expect(network.count('/oauth/introspect')).toBe(1);
    for (let i = 0; i < 10; i++) await verifier.verify(user.pat);
    expect(network.count('/oauth/introspect')).toBe(1);

    await revokePat(latchkey.base, user.token, user.pat);
    expect(await timeUntilRefused(verifier, user.pat, 'TOKEN_REVOKED')).toBeLessThan(1_000);
    // One introspection told it so; the refusal is remembered.
    const asked = network.count('/oauth/introspect');
    expect((await refusal(verifier.verify(user.pat))).code).toBe('TOKEN_REVOKED');
    expect(network.count('/oauth/introspect')).toBe(asked);
  });

  it('refuses an unknown opaque token as INVALID_TOKEN', async () => {
    const { verifier } = await verifierFor();
    expect((await refusal(verifier.verify('Bearer latchkey_pat_nothing_like_a_real_one'))).code).toBe('INVALID_TOKEN');
  });

  it('checks an ingest API key by introspection as kind api_key', async () => {
    const { verifier } = await verifierFor();
    const user = await newUser(latchkey.server);
    const res = await fetch(`${latchkey.base}/api/settings/api-key`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const { api_key: key } = (await res.json()) as { api_key: string };
    expect(await verifier.verify(key)).toMatchObject({ kind: 'api_key', sub: user.id, scopes: [] });
  });

  it("gives a client-credentials token its client's scopes; a missing one is 403 INSUFFICIENT_SCOPE", async () => {
    const { verifier } = await verifierFor();
    const caller = await registerResourceServer(latchkey.server, { canIntrospect: false, canReadRevocations: false });
    const principal = await verifier.verify(`Bearer ${await clientCredentialsToken(latchkey.base, caller)}`);
    expect(principal).toMatchObject({ kind: 'client', sub: caller.clientId, clientId: caller.clientId });
    expect(principal.scopes).toEqual(['agents:read']);
    expect(() => requireScope(principal, 'agents:read')).not.toThrow();
    let error: unknown;
    try {
      requireScope(principal, 'agents:write');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toMatchObject({ code: 'INSUFFICIENT_SCOPE', status: 403, requiredScope: 'agents:write' });
  });

  it("refuses a client's earlier tokens once its secret is rotated, and accepts the ones issued after", async () => {
    const { verifier } = await verifierFor();
    const caller = await registerResourceServer(latchkey.server, { canIntrospect: false, canReadRevocations: false });
    const before = await clientCredentialsToken(latchkey.base, caller);
    await verifier.verify(before);
    const { secret } = await rotateClientSecret(latchkey.server.core, caller.clientId, {
      userId: null,
      ctx: { ip: '127.0.0.1', userAgent: 'test' },
    });
    expect(await timeUntilRefused(verifier, before, 'TOKEN_REVOKED')).toBeLessThan(1_000);
    const after = await clientCredentialsToken(latchkey.base, { clientId: caller.clientId, clientSecret: secret });
    expect((await verifier.verify(after)).kind).toBe('client');
  });

  it("refuses a disabled user's access token and PAT within 1 s", async () => {
    const { verifier } = await verifierFor();
    const user = await newUser(latchkey.server);
    await verifier.verify(user.token);
    await verifier.verify(user.pat);
    await setUserDisabled(latchkey.server.core, user.id, true);
    expect(await timeUntilRefused(verifier, user.token, 'TOKEN_REVOKED')).toBeLessThan(1_000);
    expect(await timeUntilRefused(verifier, user.pat, 'TOKEN_REVOKED')).toBeLessThan(1_000);
  });

  it('answers NO_BEARER_TOKEN for a missing header or another scheme', async () => {
    const { verifier } = await verifierFor();
    for (const header of [undefined, '', 'Bearer ', 'Basic dXNlcjpwYXNz']) {
      const error = await refusal(verifier.verify(header));
      expect({ code: error.code, status: error.status }).toEqual({ code: 'NO_BEARER_TOKEN', status: 401 });
    }
  });

  it('keeps a token revoked before the verifier started refused: the snapshot', async () => {
    const user = await newUser(latchkey.server);
    await logout(latchkey.base, user.token);
    const { verifier, network } = await verifierFor();
    expect((await refusal(verifier.verify(user.token))).code).toBe('TOKEN_REVOKED');
    expect(network.count('/oauth/introspect')).toBe(0);
  });
});

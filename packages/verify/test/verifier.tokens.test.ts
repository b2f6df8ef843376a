import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedTarget, type StorageTarget } from '../../../test/helpers/targets.js';
import { newUser, registerResourceServer, type ServedLatchkey, serveLatchkey } from './helpers/latchkey.js';
import { refusal, useVerifiers } from './helpers/verifier.js';

describe('@latchkey/verify: which JWTs it refuses, and signing-key rotation', () => {
  let target: StorageTarget;
  let latchkey: ServedLatchkey;
  let client: { clientId: string; clientSecret: string };
  const make = useVerifiers();

  beforeAll(async () => {
    target = embeddedTarget();
    latchkey = await serveLatchkey(target);
    client = await registerResourceServer(latchkey.server);
  });
  afterAll(async () => {
    await latchkey?.server.close();
    await target?.dispose();
  });

  /** A user access token as Latchkey signs one, with `changes` to its claims and header. */
  async function mint(
    changes: { claims?: JWTPayload; header?: Record<string, unknown>; key?: KeyObject | Uint8Array } = {},
  ): Promise<string> {
    const { kid, privateKey } = latchkey.server.core.keys.signingKey();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      sub: 'usr_minted',
      sid: 'sess_minted',
      role: 'USER',
      plan: 'FREE',
      jti: `minted-${Math.random()}`,
      iss: latchkey.base,
      aud: `${latchkey.base}/api`,
      iat: now,
      exp: now + 900,
      ...changes.claims,
    })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt', ...changes.header } as { alg: string })
      .sign(changes.key ?? privateKey);
  }

  it('accepts a token minted exactly as Latchkey mints one (the baseline of the refusals below)', async () => {
    const { verifier } = await make({ issuer: latchkey.base, ...client });
    expect(await verifier.verify(await mint())).toMatchObject({ kind: 'user', sub: 'usr_minted' });
  });

  it.each([
    ['another issuer', { claims: { iss: 'https://evil.example' } }],
    ['the legacy issuer form', { claims: { iss: 'latchkey:development' } }],
    ['another audience', { claims: { aud: 'https://other.example/api' } }],
    ['the refresh typ', { header: { typ: 'refresh+jwt' } }],
    ['no typ', { header: { typ: undefined } }],
    ['a key Latchkey does not have, under its kid', { key: generateKeyPairSync('ed25519').privateKey }],
    ['HS256 with a shared secret', { header: { alg: 'HS256' }, key: new TextEncoder().encode('x'.repeat(32)) }],
    ['a lifetime of a year', { claims: { exp: Math.floor(Date.now() / 1000) + 365 * 86400 } }],
    ['an iat an hour ahead', { claims: { iat: Math.floor(Date.now() / 1000) + 3600 } }],
    ['no sid (neither a user nor a client token)', { claims: { sid: undefined } }],
    ['a client_id that is not its sub', { claims: { client_id: 'latchkey_client_other', scope: 'agents:read' } }],
  ] as const)('refuses a token with %s as INVALID_TOKEN', async (_, changes) => {
    const { verifier } = await make({ issuer: latchkey.base, ...client });
    const error = await refusal(verifier.verify(await mint(changes as Parameters<typeof mint>[0])));
    expect({ code: error.code, status: error.status }).toEqual({ code: 'INVALID_TOKEN', status: 401 });
  });

  it("refuses an unsigned token (alg none) and Latchkey's own refresh token", async () => {
    const { verifier } = await make({ issuer: latchkey.base, ...client });
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signed = await mint();
    const unsigned = `${encode({ alg: 'none', typ: 'at+jwt' })}.${signed.split('.')[1]}.`;
    expect((await refusal(verifier.verify(unsigned))).code).toBe('INVALID_TOKEN');
    const user = await newUser(latchkey.server);
    expect((await refusal(verifier.verify(user.refreshToken))).code).toBe('INVALID_TOKEN');
  });

  it('refuses an expired token as TOKEN_EXPIRED', async () => {
    const { verifier } = await make({ issuer: latchkey.base, ...client });
    const now = Math.floor(Date.now() / 1000);
    const error = await refusal(verifier.verify(await mint({ claims: { iat: now - 1000, exp: now - 100 } })));
    expect({ code: error.code, status: error.status }).toEqual({ code: 'TOKEN_EXPIRED', status: 401 });
  });

  it('verifies tokens of a rotated key at once (one JWKS reload) and keeps verifying the old key', async () => {
    const { verifier, network } = await make({ issuer: latchkey.base, ...client });
    const before = await newUser(latchkey.server);
    await verifier.verify(before.token);
    expect(network.count('/.well-known/jwks.json')).toBe(1);

    const newKid = await latchkey.server.core.keys.rotate();
    const after = await newUser(latchkey.server);
    expect(JSON.parse(Buffer.from(after.token.split('.')[0]!, 'base64url').toString()).kid).toBe(newKid);
    // Several requests meet the new kid at once: they share one reload.
    const principals = await Promise.all(Array.from({ length: 5 }, () => verifier.verify(after.token)));
    expect(principals.every((principal) => principal.sub === after.id)).toBe(true);
    expect(network.count('/.well-known/jwks.json')).toBe(2);
    expect((await verifier.verify(before.token)).sub).toBe(before.id);
  });

  it('reloads the JWKS for made-up kids at most once a second', async () => {
    const { verifier, network } = await make({ issuer: latchkey.base, ...client });
    await verifier.verify(await mint());
    const fetched = network.count('/.well-known/jwks.json');
    for (let i = 0; i < 20; i++) {
      expect((await refusal(verifier.verify(await mint({ header: { kid: `made-up-${i}` } })))).code).toBe(
        'INVALID_TOKEN',
      );
    }
    expect(network.count('/.well-known/jwks.json') - fetched).toBeLessThanOrEqual(1);
  });
});

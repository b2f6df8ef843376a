import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { caller, registerV1 } from './helpers/api.js';
import { manualClock } from './helpers/clock.js';
import { useServer, uniqueEmail } from './helpers/server.js';
import { embeddedTarget } from './helpers/targets.js';

const REFRESH_TTL_SECONDS = 3600;

describe('signing key rotation', () => {
  const clock = manualClock();

  const { server } = useServer(embeddedTarget, { REFRESH_TOKEN_TTL_SECONDS: String(REFRESH_TTL_SECONDS) }, clock);

  /** An access token for `sub`, freshly signed now with `key`, as a holder of that key could mint. */
  function mint(key: { kid: string; privateKey: KeyObject }, user: { id: string }) {
    const now = Math.floor(clock() / 1000);
    return new SignJWT({ sid: 'sess_forged', role: 'ADMIN', plan: 'STARTER', jti: `forged-${now}` })
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(server.config.issuer)
      .setAudience(server.config.audience)
      .setSubject(user.id)
      .setIssuedAt(now)
      .setExpirationTime(now + 900)
      .sign(key.privateKey);
  }

  it('refuses a token that claims a longer life than its type has, even when signed by the real key', async () => {
    const login = await registerV1(caller(server), uniqueEmail());
    const now = Math.floor(clock() / 1000);
    const { kid, privateKey } = server.core.keys.signingKey();
    const sign = (iat: number, exp: number) =>
      new SignJWT({ sid: 'sess_forged', role: 'ADMIN', plan: 'STARTER', jti: `long-${iat}-${exp}` })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
        .setIssuer(server.config.issuer)
        .setAudience(server.config.audience)
        .setSubject(login.user.id)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(privateKey);
    // A year-long access token (a forger's favourite, since a verified token is cached until exp).
    expect((await caller(server).get('/api/v1/agents', await sign(now, now + 365 * 24 * 3600))).body.error.code).toBe(
      'INVALID_TOKEN',
    );
    // Issued further in the future than any instance's clock can be ahead.
    expect((await caller(server).get('/api/v1/agents', await sign(now + 3600, now + 3600 + 900))).body.error.code).toBe(
      'INVALID_TOKEN',
    );
    expect((await caller(server).get('/api/v1/agents', await sign(now + 30, now + 30 + 900))).status).toBe(200);
    expect((await caller(server).get('/api/v1/agents', await sign(now, now + 900))).status).toBe(200);
  });

  it('keeps a replaced key verifying while its tokens can live, then stops trusting it', async () => {
    const login = await registerV1(caller(server), uniqueEmail());
    const oldKey = server.core.keys.signingKey();
    const newKid = await server.core.keys.rotate();
    expect(server.core.keys.signingKey().kid).toBe(newKid);

    // A token the old key signed before the rotation still works, and so does one it signs now.
    expect((await caller(server).get('/api/v1/auth/me', login.token)).status).toBe(200);
    expect((await caller(server).get('/api/v1/agents', await mint(oldKey, login.user))).status).toBe(200);
    expect(server.core.keys.jwks().keys.map((k) => k.kid)).toContain(oldKey.kid);

    // Once every token it could have signed has expired, a leaked old key is worth nothing.
    clock.advance((REFRESH_TTL_SECONDS + 61) * 1000);
    await server.core.keys.rotate();
    const forged = await caller(server).get('/api/v1/agents', await mint(oldKey, login.user));
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('INVALID_TOKEN');
    expect(server.core.keys.jwks().keys.map((k) => k.kid)).not.toContain(oldKey.kid);
    expect(server.core.keys.jwks().keys.map((k) => k.kid)).toContain(newKid);
  });
});

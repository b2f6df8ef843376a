import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { base64url, decodeJwt, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newJti } from '../src/core/keys/tokens.js';
import { caller, registerV1 } from './helpers/api.js';
import { manualClock, type ManualClock } from './helpers/clock.js';
import { startServer, uniqueEmail, type TestServer } from './helpers/server.js';
import { TARGETS, type StorageTarget } from './helpers/targets.js';

/** RFC 8725 (JWT best current practice) attacks on the bearer guard, each refused with a precise code. */
describe.each(TARGETS)('bearer token attacks on $name', ({ create }) => {
  let target: StorageTarget;
  let stagingTarget: StorageTarget;
  let server: TestServer;
  let staging: TestServer;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = manualClock();
    target = await create();
    stagingTarget = await create();
    server = await startServer(target, {}, clock);
    staging = await startServer(stagingTarget, { LATCHKEY_ENV: 'staging' });
  });
  afterAll(async () => {
    await server?.close();
    await staging?.close();
    await target?.dispose();
    await stagingTarget?.dispose();
  });

  interface Victim {
    userId: string;
    sessionId: string;
    token: string;
    refreshToken: string;
  }

  async function newVictim(): Promise<Victim> {
    const login = await registerV1(caller(server), uniqueEmail());
    return {
      userId: login.user.id,
      sessionId: decodeJwt(login.token).sid as string,
      token: login.token,
      refreshToken: login.refreshToken,
    };
  }

  /** Claims that are valid in every respect for `victim` on the development server. */
  function validClaims(victim: Victim): JWTPayload {
    const iat = Math.floor(clock() / 1000);
    return {
      iss: server.config.issuer,
      aud: server.config.audience,
      sub: victim.userId,
      sid: victim.sessionId,
      jti: newJti(),
      role: 'USER',
      plan: 'STARTER',
      iat,
      exp: iat + 900,
    };
  }

  interface ForgeOptions {
    claims?: JWTPayload;
    header?: Record<string, unknown>;
    /** Header parameters to remove from the default (e.g. `typ`). */
    omitHeader?: string[];
    key?: KeyObject | Uint8Array;
    alg?: string;
  }

  /** Signs `claims` with the server's real signing key and headers unless told otherwise. */
  async function forge(victim: Victim, options: ForgeOptions = {}): Promise<string> {
    const real = server.core.keys.signingKey();
    const header: Record<string, unknown> = {
      alg: options.alg ?? 'EdDSA',
      kid: real.kid,
      typ: 'at+jwt',
      ...options.header,
    };
    for (const name of options.omitHeader ?? []) delete header[name];
    return new SignJWT(options.claims ?? validClaims(victim))
      .setProtectedHeader(header as { alg: string })
      .sign(options.key ?? real.privateKey);
  }

  function unsigned(header: Record<string, unknown>, claims: JWTPayload): string {
    const encode = (part: object) => base64url.encode(JSON.stringify(part));
    return `${encode(header)}.${encode(claims)}.`;
  }

  /** Sends `token` to a v1 and a flat protected route: both must answer 401 with `code`. */
  async function expectRefused(token: string, code: string): Promise<{ message: string }> {
    const client = caller(server);
    const v1 = await client.get('/api/v1/agents', token);
    expect(v1.status).toBe(401);
    expect(v1.body).toEqual({ success: false, error: { code, message: expect.any(String) } });
    expect(v1.headers['www-authenticate']).toMatch(
      /^Bearer realm="latchkey", error="invalid_token", error_description="/,
    );
    expect(v1.headers['cache-control']).toBe('no-store');
    const flat = await client.get('/api/auth/me', token);
    expect(flat.status).toBe(401);
    expect(flat.body).toEqual({ detail: v1.body.error.message, code });
    return { message: v1.body.error.message };
  }

  async function expectAccepted(token: string): Promise<void> {
    const client = caller(server);
    expect((await client.get('/api/v1/agents', token)).status).toBe(200);
    expect((await client.get('/api/auth/me', token)).status).toBe(200);
  }

  it('accepts the unaltered forged baseline, so each attack below differs from a valid token in one way only', async () => {
    const victim = await newVictim();
    await expectAccepted(await forge(victim));
    await expectAccepted(victim.token);
  });

  describe('algorithm confusion', () => {
    it('refuses an alg "none" token with valid-looking claims and headers', async () => {
      const victim = await newVictim();
      const claims = validClaims(victim);
      const kid = server.core.keys.signingKey().kid;
      for (const alg of ['none', 'None', 'NONE']) {
        await expectRefused(unsigned({ alg, kid, typ: 'at+jwt' }, claims), 'INVALID_TOKEN');
      }
      // The real signature glued onto a none header does not rescue it either.
      const signature = victim.token.split('.')[2];
      await expectRefused(`${unsigned({ alg: 'none', kid, typ: 'at+jwt' }, claims)}${signature}`, 'INVALID_TOKEN');
    });

    it('refuses jose UnsecuredJWT output', async () => {
      const victim = await newVictim();
      const claims = validClaims(victim);
      const token = new UnsecuredJWT({ ...claims })
        .setIssuer(claims.iss!)
        .setAudience(claims.aud as string)
        .encode();
      await expectRefused(token, 'INVALID_TOKEN');
    });

    it('refuses HS256 tokens whose HMAC secret is the published public key, in every encoding', async () => {
      const victim = await newVictim();
      const jwks = (await caller(server).get('/.well-known/jwks.json')).body as { keys: Record<string, string>[] };
      const kid = server.core.keys.signingKey().kid;
      const jwk = jwks.keys.find((k) => k.kid === kid)!;
      expect(jwk).toBeDefined();
      const publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
      const secrets: Record<string, Uint8Array> = {
        'raw x bytes': base64url.decode(jwk.x!),
        'JWK JSON': new TextEncoder().encode(JSON.stringify(jwk)),
        'JWKS JSON': new TextEncoder().encode(JSON.stringify(jwks)),
        'SPKI PEM': new TextEncoder().encode(publicKey.export({ type: 'spki', format: 'pem' }) as string),
        'SPKI DER': new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
      };
      for (const alg of ['HS256', 'HS512']) {
        for (const secret of Object.values(secrets)) {
          await expectRefused(await forge(victim, { alg, key: secret }), 'INVALID_TOKEN');
        }
      }
    });

    it('refuses a token signed by the real key under a non-pinned algorithm name', async () => {
      const victim = await newVictim();
      // "Ed25519" is the fully-specified name for the same key (RFC 9864); only EdDSA is pinned.
      await expectRefused(await forge(victim, { alg: 'Ed25519' }), 'INVALID_TOKEN');
    });
  });

  describe('key selection', () => {
    it('refuses a token signed by a fresh Ed25519 key under an unknown kid', async () => {
      const victim = await newVictim();
      const { privateKey } = generateKeyPairSync('ed25519');
      await expectRefused(
        await forge(victim, { key: privateKey, header: { kid: 'development_attacker' } }),
        'INVALID_TOKEN',
      );
    });

    it('refuses a token signed by a fresh key under the real kid', async () => {
      const victim = await newVictim();
      const { privateKey } = generateKeyPairSync('ed25519');
      await expectRefused(await forge(victim, { key: privateKey }), 'INVALID_TOKEN');
    });

    it('ignores a key embedded in the header (jwk) and refuses the token', async () => {
      const victim = await newVictim();
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const embedded = publicKey.export({ format: 'jwk' });
      await expectRefused(
        await forge(victim, { key: privateKey, header: { jwk: embedded }, omitHeader: ['kid'] }),
        'INVALID_TOKEN',
      );
      await expectRefused(await forge(victim, { key: privateKey, header: { jwk: embedded } }), 'INVALID_TOKEN');
    });

    it('refuses a real-key token without a kid, and hostile kids never cause a server error', async () => {
      const victim = await newVictim();
      await expectRefused(await forge(victim, { omitHeader: ['kid'] }), 'INVALID_TOKEN');
      for (const kid of ["' OR '1'='1", '../../../etc/passwd', 'x'.repeat(4000), '']) {
        await expectRefused(await forge(victim, { header: { kid } }), 'INVALID_TOKEN');
      }
    });
  });

  describe('claims and headers signed by the real key', () => {
    it('refuses a wrong iss', async () => {
      const victim = await newVictim();
      for (const iss of ['https://evil.example', 'latchkey', 'latchkey-development', 'LATCHKEY:development']) {
        await expectRefused(await forge(victim, { claims: { ...validClaims(victim), iss } }), 'INVALID_TOKEN');
      }
      const { iss: _dropped, ...withoutIss } = validClaims(victim);
      await expectRefused(await forge(victim, { claims: withoutIss }), 'INVALID_TOKEN');
    });

    it('refuses a wrong aud, including the audience of another token type', async () => {
      const victim = await newVictim();
      for (const aud of [
        'https://evil.example',
        `${server.config.issuer}:refresh`,
        `${server.config.issuer}:2fa`,
        [server.config.issuer],
      ]) {
        await expectRefused(await forge(victim, { claims: { ...validClaims(victim), aud } }), 'INVALID_TOKEN');
      }
    });

    it('refuses a wrong or missing typ header', async () => {
      const victim = await newVictim();
      for (const typ of ['JWT', 'jwt', 'AT+JWT ', 'id+jwt', 'dpop+jwt']) {
        await expectRefused(await forge(victim, { header: { typ } }), 'INVALID_TOKEN');
      }
      await expectRefused(await forge(victim, { omitHeader: ['typ'] }), 'INVALID_TOKEN');
    });

    it('refuses a token missing a required claim or carrying a role outside the known set', async () => {
      const victim = await newVictim();
      for (const claim of ['sub', 'sid', 'jti', 'exp', 'iat', 'role', 'plan']) {
        const claims = validClaims(victim);
        delete claims[claim];
        await expectRefused(await forge(victim, { claims }), 'INVALID_TOKEN');
      }
      await expectRefused(await forge(victim, { claims: { ...validClaims(victim), role: 'ROOT' } }), 'INVALID_TOKEN');
    });

    it('refuses an auth_time after the token was issued, or one that is not a whole number of seconds', async () => {
      const victim = await newVictim();
      const claims = validClaims(victim);
      await expectAccepted(await forge(victim, { claims: { ...claims, auth_time: claims.iat } }));
      for (const authTime of [claims.iat! + 1, -1, 1.5, String(claims.iat)]) {
        await expectRefused(await forge(victim, { claims: { ...claims, auth_time: authTime } }), 'INVALID_TOKEN');
      }
    });

    it('refuses a tampered payload (role raised to ADMIN) that keeps the original signature', async () => {
      const victim = await newVictim();
      const [header, payload, signature] = victim.token.split('.') as [string, string, string];
      const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as JWTPayload;
      expect(claims.role).toBe('USER');
      const raised = base64url.encode(JSON.stringify({ ...claims, role: 'ADMIN' }));
      await expectRefused(`${header}.${raised}.${signature}`, 'INVALID_TOKEN');
      // The untampered token still works: only the edit was refused.
      await expectAccepted(victim.token);
    });

    it('refuses a tampered payload even after the original token was verified and cached', async () => {
      const victim = await newVictim();
      await expectAccepted(victim.token);
      const [header, payload, signature] = victim.token.split('.') as [string, string, string];
      const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as JWTPayload;
      const raised = base64url.encode(JSON.stringify({ ...claims, role: 'ADMIN' }));
      await expectRefused(`${header}.${raised}.${signature}`, 'INVALID_TOKEN');
    });

    it('refuses a token whose nbf is in the future, and accepts it once that time comes', async () => {
      const victim = await newVictim();
      const claims = { ...validClaims(victim), nbf: Math.floor(clock() / 1000) + 120 };
      const token = await forge(victim, { claims });
      await expectRefused(token, 'INVALID_TOKEN');
      clock.advance(121_000);
      await expectAccepted(token);
    });
  });

  describe('expiry, with the injected clock', () => {
    it('answers TOKEN_EXPIRED once 15 minutes pass, telling the client to refresh', async () => {
      const victim = await newVictim();
      clock.advance(15 * 60_000 + 1_000);
      const { message } = await expectRefused(victim.token, 'TOKEN_EXPIRED');
      expect(message).toMatch(/refresh/);
    });

    it('refuses a cached token once the clock passes its exp', async () => {
      const victim = await newVictim();
      await expectAccepted(victim.token);
      clock.advance(14 * 60_000);
      await expectAccepted(victim.token);
      clock.advance(60_000 + 1_000);
      await expectRefused(victim.token, 'TOKEN_EXPIRED');
    });

    it('treats the second of exp the same whether or not the token is cached', async () => {
      const victim = await newVictim();
      const exp = decodeJwt(victim.token).exp!;
      const fresh = await forge(victim, { claims: { ...validClaims(victim), exp } });
      await expectAccepted(victim.token);
      clock.set(exp * 1000);
      await expectRefused(victim.token, 'TOKEN_EXPIRED');
      await expectRefused(fresh, 'TOKEN_EXPIRED');
    });
  });

  describe('token types', () => {
    it('refuses a refresh token used as a bearer token and says where it goes', async () => {
      const victim = await newVictim();
      const { message } = await expectRefused(victim.refreshToken, 'REFRESH_TOKEN_AS_BEARER');
      expect(message).toMatch(/\/auth\/refresh/);
    });

    it('refuses a 2FA pending token used as a bearer token', async () => {
      const victim = await newVictim();
      const pending = await server.core.tokens.signPending({ sub: victim.userId, jti: newJti() });
      await expectRefused(pending.token, 'PENDING_TOKEN_AS_BEARER');
    });

    it('refuses an access token where a refresh token is expected', async () => {
      const victim = await newVictim();
      const res = await caller(server).post('/api/v1/auth/refresh', { refreshToken: victim.token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('INVALID_REFRESH_TOKEN');
    });
  });

  describe('environments', () => {
    it('refuses a staging token on the development server with a message naming both', async () => {
      const stagingLogin = await registerV1(caller(staging), uniqueEmail('staging'));
      expect((await caller(staging).get('/api/v1/agents', stagingLogin.token)).status).toBe(200);
      const { message } = await expectRefused(stagingLogin.token, 'WRONG_ENVIRONMENT');
      expect(message).toContain("'staging'");
      expect(message).toContain("'development'");
      const refresh = await caller(server).post('/api/v1/auth/refresh', { refreshToken: stagingLogin.refreshToken });
      expect(refresh.status).toBe(401);
      expect(refresh.body.error.code).toBe('WRONG_ENVIRONMENT');
    });

    it('refuses a development token on the staging server', async () => {
      const victim = await newVictim();
      const res = await caller(staging).get('/api/v1/agents', victim.token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('WRONG_ENVIRONMENT');
    });

    it('still accepts a token of the issuer before it was a URL (latchkey:<env>), until it expires', async () => {
      const victim = await newVictim();
      expect(server.config.legacyIssuer).toBe('latchkey:development');
      const legacy = await forge(victim, {
        claims: { ...validClaims(victim), iss: 'latchkey:development', aud: 'latchkey:development:api' },
      });
      await expectAccepted(legacy);
      // Each half alone is no issuer this server ever had.
      await expectRefused(
        await forge(victim, { claims: { ...validClaims(victim), iss: 'latchkey:development' } }),
        'INVALID_TOKEN',
      );
      await expectRefused(
        await forge(victim, { claims: { ...validClaims(victim), aud: 'latchkey:development:api' } }),
        'INVALID_TOKEN',
      );
    });

    it('names both environments for a token whose env claim is foreign, whatever its issuer', async () => {
      const victim = await newVictim();
      const forged = await forge(victim, { claims: { ...validClaims(victim), env: 'staging' } });
      const { message } = await expectRefused(forged, 'WRONG_ENVIRONMENT');
      expect(message).toContain("'staging'");
      expect(message).toContain("'development'");
      // A staging server's real token carries the claim (its issuer is the same URL here).
      const stagingLogin = await registerV1(caller(staging), uniqueEmail('staging'));
      expect(decodeJwt(stagingLogin.token).env).toBe('staging');
    });

    it('names only well-formed environments: a forged issuer with header-breaking characters is an invalid token, not a 500', async () => {
      const victim = await newVictim();
      for (const env of ['evil"\r\nx-injected: yes', 'naïve\u2028env', '\u0000', 'Staging', 'x'.repeat(200)]) {
        const token = await forge(victim, { claims: { ...validClaims(victim), iss: `latchkey:${env}` } });
        const { message } = await expectRefused(token, 'INVALID_TOKEN');
        expect(message).not.toContain(env);
        const res = await server.app.inject({
          method: 'GET',
          url: '/api/v1/agents',
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.headers['x-injected']).toBeUndefined();
      }
      // A well-formed foreign name still gets the helpful message, even on a forged token.
      const forged = await forge(victim, { claims: { ...validClaims(victim), iss: 'latchkey:production' } });
      expect((await expectRefused(forged, 'WRONG_ENVIRONMENT')).message).toContain("'production'");
    });
  });

  describe('revocation is not cached', () => {
    it('refuses a token verified (and cached) before logout', async () => {
      const victim = await newVictim();
      await expectAccepted(victim.token);
      await expectAccepted(victim.token);
      const out = await caller(server).post('/api/v1/auth/logout', undefined, victim.token);
      expect(out.status).toBe(200);
      await expectRefused(victim.token, 'TOKEN_REVOKED');
    });

    it('refuses every cached access token of a session revoked from elsewhere', async () => {
      const victim = await newVictim();
      const refreshed = await caller(server).post('/api/v1/auth/refresh', { refreshToken: victim.refreshToken });
      expect(refreshed.status).toBe(200);
      const second = refreshed.body.data.token as string;
      await expectAccepted(victim.token);
      await expectAccepted(second);
      expect((await caller(server).post('/api/v1/auth/logout', undefined, second)).status).toBe(200);
      await expectRefused(victim.token, 'TOKEN_REVOKED');
      await expectRefused(second, 'TOKEN_REVOKED');
    });
  });
});

import { describe, expect, it } from 'vitest';
import { openPostgres, openSqlite } from '../src/store/sql/database.js';
import { caller, PASSWORD, registerV1 } from './helpers/api.js';
import { passkeyLogin, PASSKEY_ENV, platformAuthenticator, registerPasskey } from './helpers/passkeys.js';
import { uniqueEmail, useServer } from './helpers/server.js';
import { TARGETS, type StorageTarget } from './helpers/targets.js';

/** Makes the account passkey-only, as no route can yet: an empty hash is "no password". */
async function dropPassword(target: StorageTarget, userId: string): Promise<void> {
  const database = target.env.DATABASE_URL
    ? openPostgres(target.env.DATABASE_URL, 1)
    : openSqlite(target.env.DATA_DIR!);
  try {
    await database.db.updateTable('users').set({ password_hash: '' }).where('id', '=', userId).execute();
  } finally {
    await database.close();
  }
}

describe.each(TARGETS)('passkey limits and the last way to sign in on $name', ({ create }) => {
  const { server, target } = useServer(create, { ...PASSKEY_ENV, LOCKOUT_MAX_FAILURES: '3' });

  it('counts failed assertions toward the account lockout, which then refuses a good one and the password', async () => {
    const client = caller(server);
    const email = uniqueEmail();
    const { token } = await registerV1(client, email);
    const authenticator = platformAuthenticator();
    await registerPasskey(client, token, authenticator);
    for (let i = 0; i < 3; i++) {
      const res = await passkeyLogin(caller(server), authenticator, { userVerified: false });
      expect(res.body.error.code).toBe('INVALID_PASSKEY');
    }
    const locked = await passkeyLogin(caller(server), authenticator);
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('ACCOUNT_LOCKED');
    const password = await caller(server).post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(password.status).toBe(423);
  });

  it('limits options calls per IP (LOGIN_RATE_LIMIT) on their own count, not the login attempts', async () => {
    const client = caller(server);
    const email = uniqueEmail();
    await registerV1(caller(server), email);
    for (let i = 0; i < 10; i++)
      expect((await client.post('/api/v1/auth/passkeys/login/options', {})).status).toBe(200);
    const limited = await client.post('/api/auth/passkeys/login/options', { email });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await client.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('refuses to delete the last passkey of an account without a password, and lets a password account delete it', async () => {
    const client = caller(server);
    const { token, user } = await registerV1(client, uniqueEmail());
    const first = await registerPasskey(client, token, platformAuthenticator());
    const second = await registerPasskey(client, token, platformAuthenticator());
    await dropPassword(target, user.id);

    expect((await client.delete(`/api/v1/auth/passkeys/${first.id}`, token)).status).toBe(200);
    const last = await client.delete(`/api/v1/auth/passkeys/${second.id}`, token);
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('LAST_SIGN_IN_METHOD');
    const flat = await client.delete(`/api/auth/passkeys/${second.id}`, token);
    expect(flat.body).toMatchObject({ code: 'LAST_SIGN_IN_METHOD' });
    expect((await client.get('/api/v1/auth/passkeys', token)).body.data).toHaveLength(1);

    const withPassword = await registerV1(client, uniqueEmail());
    const only = await registerPasskey(client, withPassword.token, platformAuthenticator());
    expect((await client.delete(`/api/v1/auth/passkeys/${only.id}`, withPassword.token)).status).toBe(200);
  });
});

import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { caller, PASSWORD, registerV1 } from './helpers/api.js';
import { upload } from './helpers/ingest.js';
import { captureLog } from './helpers/log-capture.js';
import { useServer, uniqueEmail, uniqueIp } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';
import { authenticator, midStepClock, TOTP_STEP_MS } from './helpers/totp.js';
import { wav } from './helpers/upload.js';

/** Every string in a parsed log line, keys included. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([key, v]) => [key, ...stringsIn(v)]);
  return [];
}

// Logging is the same whatever the storage; the embedded target keeps uploads in its own DATA_DIR.
const embedded = TARGETS.find((t) => t.name === 'embedded')!;

describe('what reaches the log at trace level', () => {
  const clock = midStepClock();
  const { lines, stream } = captureLog();

  const { server } = useServer(embedded.create, { LOGIN_RATE_LIMIT: '1000' }, clock, createLogger('trace', stream));

  it('holds no password, token, key, TOTP secret, code or recovery code from a full round of use', async () => {
    const client = caller(server);
    const email = uniqueEmail();
    const newPassword = 'a different long passphrase 7';
    const secrets: string[] = [PASSWORD, newPassword];
    const codes: string[] = [];

    const registered = await registerV1(client, email);
    secrets.push(registered.token, registered.refreshToken);
    const refreshed = await client.post('/api/v1/auth/refresh', { refreshToken: registered.refreshToken });
    expect(refreshed.status).toBe(200);
    secrets.push(refreshed.body.data.token, refreshed.body.data.refreshToken);
    const token = refreshed.body.data.token;
    const flat = await client.post('/api/auth/login', { email, password: PASSWORD });
    secrets.push(flat.body.access_token, flat.body.refresh_token);
    expect((await client.post('/api/auth/refresh', { refresh_token: flat.body.refresh_token })).status).toBe(200);
    // A client that puts its token in the query string as well as the header.
    expect((await client.get(`/api/v1/agents?access_token=${token}`, token)).status).toBe(200);
    expect((await client.post('/api/v1/auth/login', { email, password: `${PASSWORD}-wrong` })).status).toBe(401);
    secrets.push(`${PASSWORD}-wrong`);
    const badJson = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: uniqueIp(),
      headers: { 'content-type': 'application/json' },
      payload: `{"email":"${email}","password":"${PASSWORD}"`,
    });
    expect(badJson.statusCode).toBe(400);

    const pat = await client.post('/api/v1/tokens', { name: 'logs', scopes: ['agents:read'] }, token);
    secrets.push(pat.body.data.token);
    expect((await client.get('/api/v1/agents', pat.body.data.token)).status).toBe(200);
    const key = (await client.post('/api/settings/api-key', {}, token)).body.api_key;
    secrets.push(key);
    const uploaded = await upload(server, { 'x-api-key': key }, [
      { name: 'file', filename: 'call.wav', contentType: 'audio/wav', data: wav(800) },
    ]);
    expect(uploaded.statusCode).toBe(201);

    const setup = await client.post('/api/v1/auth/2fa/setup', undefined, token);
    secrets.push(setup.body.data.secret);
    const app = authenticator(setup.body.data.otpauthUrl, clock);
    codes.push(app.code());
    const enabled = await client.post('/api/v1/auth/2fa/verify-setup', { code: app.code() }, token);
    expect(enabled.status).toBe(200);
    secrets.push(...enabled.body.data.recoveryCodes);
    clock.advance(TOTP_STEP_MS);
    const pending = await client.post('/api/v1/auth/login', { email, password: PASSWORD });
    secrets.push(pending.body.data.pendingToken);
    codes.push(app.code());
    const verified = await client.post('/api/v1/auth/verify-2fa', {
      pendingToken: pending.body.data.pendingToken,
      code: app.code(),
    });
    expect(verified.status).toBe(200);
    secrets.push(verified.body.data.token, verified.body.data.refreshToken);
    clock.advance(TOTP_STEP_MS);
    codes.push(app.code());
    const changed = await client.post(
      '/api/v1/auth/change-password',
      { currentPassword: PASSWORD, newPassword, code: app.code() },
      verified.body.data.token,
    );
    expect(changed.status).toBe(200);

    // The run was logged (two lines a request and more at trace), and the secrets were real values.
    expect(lines.filter((line) => line.includes('"request completed"')).length).toBeGreaterThanOrEqual(15);
    expect(secrets.every((secret) => typeof secret === 'string' && secret.length >= 8)).toBe(true);
    const text = lines.join('');
    for (const secret of secrets) expect(text, 'a secret reached the log').not.toContain(secret);
    // Six digits can turn up inside a timestamp, so a code counts only as a whole string.
    const strings = new Set(lines.flatMap((line) => stringsIn(JSON.parse(line))));
    for (const code of codes) expect(strings.has(code), 'a TOTP code reached the log').toBe(false);
  });
});

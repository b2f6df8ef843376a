import { describe, expect, it } from 'vitest';
import { caller, registerV1 } from './helpers/api.js';
import { loginOptions, PASSKEY_ENV, platformAuthenticator, registerPasskey } from './helpers/passkeys.js';
import { uniqueEmail, uniqueIp, useServers } from './helpers/server.js';
import { TARGETS, waitOutOtherProcessLag } from './helpers/targets.js';

// Two instances over one store behave as one server: a ceremony begun on one finishes on the
// other, and its challenge works once across both.

describe.each(TARGETS)('passkey ceremonies across two instances on $name', ({ create }) => {
  const { servers } = useServers(create, [PASSKEY_ENV], [PASSKEY_ENV]);
  const [a, b] = servers;

  it('registers on B with options from A, and signs in on A with options from B, each challenge once', async () => {
    const ip = uniqueIp();
    const [onA, onB] = [caller(a, ip), caller(b, ip)];
    const { token } = await registerV1(onA, uniqueEmail());
    const authenticator = platformAuthenticator();
    const creation = (await onA.post('/api/v1/auth/passkeys/register/options', undefined, token)).body.data;
    await waitOutOtherProcessLag();
    const response = authenticator.register(creation);
    expect((await onB.post('/api/v1/auth/passkeys/register/verify', { response }, token)).status).toBe(201);
    const replay = await onA.post('/api/v1/auth/passkeys/register/verify', { response }, token);
    expect(replay.body.error.code).toBe('INVALID_PASSKEY_CHALLENGE');

    const { options, challengeToken } = await loginOptions(onB);
    await waitOutOtherProcessLag();
    const assertion = authenticator.authenticate(options);
    const [first, second] = await Promise.all([
      onA.post('/api/v1/auth/passkeys/login/verify', { challengeToken, response: assertion }),
      onB.post('/api/v1/auth/passkeys/login/verify', { challengeToken, response: assertion }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 400]);
    expect([first, second].find((r) => r.status === 400)!.body.error.code).toBe('INVALID_PASSKEY_CHALLENGE');
  });

  it('keeps one signature counter for both: a clone refused on B after the original signed in on A', async () => {
    const { token } = await registerV1(caller(a), uniqueEmail());
    const authenticator = platformAuthenticator();
    await registerPasskey(caller(a), token, authenticator);
    const clone = authenticator.clone();
    const original = await loginOptions(caller(a));
    const res = await caller(a).post('/api/v1/auth/passkeys/login/verify', {
      challengeToken: original.challengeToken,
      response: authenticator.authenticate(original.options),
    });
    expect(res.status).toBe(200);
    await waitOutOtherProcessLag();
    const copied = await loginOptions(caller(b));
    const refused = await caller(b).post('/api/v1/auth/passkeys/login/verify', {
      challengeToken: copied.challengeToken,
      response: clone.authenticate(copied.options),
    });
    expect(refused.body.error.code).toBe('INVALID_PASSKEY');
  });
});

import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { type IssuedTokens, type RefreshPolicy, startSession, takePasswordAttempt } from '../sessions/sessions.js';
import { normalizeEmail } from '../users/user.js';
import {
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  requestOptions,
} from './assertion.js';
import { saveChallenge, takeChallenge } from './challenges.js';
import { verifyOwnPasskey } from './user-passkeys.js';

/** What an e-mail-bound login challenge is bound to when the address has no account: nobody. */
const NO_ACCOUNT = '-';
/** Transports offered with decoy credential IDs: those of a typical synced passkey. */
const DECOY_TRANSPORTS = ['hybrid', 'internal'];

export interface PasskeyLoginOptions {
  options: PublicKeyCredentialRequestOptionsJSON;
  /** Names the challenge at login/verify; works once, for five minutes. */
  challengeToken: string;
}

/**
 * Options for a passkey login (user verification required). Without an e-mail address, any
 * discoverable passkey of this RP may answer (the browser's autofill, conditional UI); with one,
 * the account's passkeys are offered, or, for an address with no account or no passkey, decoy
 * IDs derived from it, so the answer has the same shape and stays the same on every call.
 */
export async function beginPasskeyLogin(
  core: Core,
  email: string | undefined,
  ctx: RequestContext,
): Promise<PasskeyLoginOptions> {
  await core.limits.takePasskeyOptionsAttempt(ctx.ip);
  let credentials: { id: string; transports: string[] }[] = [];
  let boundTo: string | null = null;
  if (email !== undefined) {
    const normalized = normalizeEmail(email);
    const user = await core.stores.users.findByEmail(normalized);
    const passkeys = user ? await core.stores.passkeys.listByUser(user.id) : [];
    boundTo = user?.id ?? NO_ACCOUNT;
    credentials =
      passkeys.length > 0
        ? passkeys.map((p) => ({ id: p.credentialId, transports: p.transports }))
        : core.relyingParty.decoyCredentialIds(normalized).map((id) => ({ id, transports: DECOY_TRANSPORTS }));
  }
  const options = await requestOptions(core, credentials, 'required');
  const challengeToken = randomBytes(32).toString('base64url');
  await saveChallenge(core, challengeToken, options.challenge, 'login', boundTo);
  return { options, challengeToken };
}

/**
 * A complete login with a passkey: user verification stands in for the password and a second
 * factor, so no TOTP step follows. A failed assertion counts like a wrong password (IP limit,
 * the account's lockout); the account must be enabled.
 */
export async function completePasskeyLogin(
  core: Core,
  challengeToken: string,
  response: AuthenticationResponseJSON,
  ctx: RequestContext,
  policy: RefreshPolicy,
): Promise<IssuedTokens> {
  await core.limits.takeIpAttempt(ctx.ip);
  const { challenge, boundTo } = await takeChallenge(core, challengeToken, 'login');
  const passkey = await core.stores.passkeys.findByCredentialId(response.id);
  const user = passkey ? await core.stores.users.findById(passkey.userId) : null;
  if (!user || (boundTo !== null && boundTo !== user.id)) {
    await core.audit.record('login_failed', ctx, null, { reason: 'unknown passkey' });
    throw new AuthError('INVALID_PASSKEY');
  }
  const deviceId = await takePasswordAttempt(core, user.email, user, ctx);
  if (!(await verifyOwnPasskey(core, user.id, response, challenge, true, 'login', ctx))) {
    await core.audit.record('login_failed', ctx, user.id, { reason: 'passkey' });
    throw new AuthError('INVALID_PASSKEY');
  }
  await core.limits.clearFailures(user.email, deviceId);
  if (user.disabledAt !== null) {
    await core.audit.record('login_failed', ctx, user.id, { reason: 'disabled' });
    throw new AuthError('ACCOUNT_DISABLED');
  }
  return startSession(core, user, ctx, policy);
}

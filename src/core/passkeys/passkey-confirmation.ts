import type { User } from '../../store/user-store.js';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { takePasswordAttempt } from '../sessions/sessions.js';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from './assertion.js';
import { signedChallenge, takeChallenge } from './challenges.js';
import { ownPasskeyOptions, verifyOwnPasskey } from './user-passkeys.js';

/** Options for a signed-in user to confirm who they are with a passkey (step-up), user verification required. */
export async function beginPasskeyStepUp(core: Core, userId: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return ownPasskeyOptions(core, userId, 'step-up', userId, 'required');
}

/**
 * A full re-authentication with one of the user's passkeys, in place of the password (and the
 * code): a verified user is as strong as both. Counted like a password confirmation.
 */
export async function confirmPasskey(
  core: Core,
  user: User,
  response: AuthenticationResponseJSON,
  ctx: RequestContext,
): Promise<void> {
  await core.limits.takeIpAttempt(ctx.ip);
  const { challenge } = await takeChallenge(core, signedChallenge(response), 'step-up', user.id);
  const deviceId = await takePasswordAttempt(core, user.email, user, ctx);
  if (!(await verifyOwnPasskey(core, user.id, response, challenge, true, 'step-up', ctx))) {
    await core.audit.record('login_failed', ctx, user.id, { reason: 'passkey confirmation' });
    throw new AuthError('INVALID_PASSKEY');
  }
  await core.limits.clearFailures(user.email, deviceId);
}

/**
 * The second login step answered with a passkey instead of a TOTP code, for the pending login
 * `jtiHash`: presence is enough here (the password was the first factor). Counted on the
 * second-factor lockout, like a code.
 */
export async function confirmPasskeySecondFactor(
  core: Core,
  user: User,
  jtiHash: string,
  response: AuthenticationResponseJSON,
  ctx: RequestContext,
): Promise<void> {
  const { challenge } = await takeChallenge(core, signedChallenge(response), 'second-factor', jtiHash);
  await core.limits.takeSecondFactorAttempt(user);
  if (!(await verifyOwnPasskey(core, user.id, response, challenge, false, 'second-factor', ctx))) {
    await core.audit.record('mfa_failed', ctx, user.id, { method: 'passkey' });
    throw new AuthError('INVALID_PASSKEY');
  }
  await core.limits.clearSecondFactorFailures(user);
}

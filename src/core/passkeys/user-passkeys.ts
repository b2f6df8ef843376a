import type { Passkey } from '../../store/passkey-store.js';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { type AuthenticationResponseJSON, checkAssertion, requestOptions } from './assertion.js';
import type { PublicKeyCredentialRequestOptionsJSON } from './assertion.js';
import { saveChallenge } from './challenges.js';

/**
 * Request options for the user's own passkeys (the 2FA step, step-up), with the challenge
 * bound to `purpose` and `boundTo`; NO_PASSKEY when the user has none.
 */
export async function ownPasskeyOptions(
  core: Core,
  userId: string,
  purpose: 'second-factor' | 'step-up',
  boundTo: string,
  userVerification: 'required' | 'preferred',
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const passkeys = await core.stores.passkeys.listByUser(userId);
  if (passkeys.length === 0) throw new AuthError('NO_PASSKEY');
  const options = await requestOptions(
    core,
    passkeys.map((p) => ({ id: p.credentialId, transports: p.transports })),
    userVerification,
  );
  await saveChallenge(core, options.challenge, options.challenge, purpose, boundTo);
  return options;
}

/**
 * Whether `response` is a valid assertion over `challenge` by one of `userId`'s passkeys; a use
 * is audited (`passkey_used`, with `purpose`). Refusals are the caller's to count and audit.
 */
export async function verifyOwnPasskey(
  core: Core,
  userId: string,
  response: AuthenticationResponseJSON,
  challenge: string,
  requireUserVerification: boolean,
  purpose: string,
  ctx: RequestContext,
): Promise<Passkey | null> {
  const passkey = await core.stores.passkeys.findByCredentialId(response.id);
  if (!passkey || passkey.userId !== userId) return null;
  if ((await checkAssertion(core, passkey, response, challenge, requireUserVerification, ctx)) !== 'verified')
    return null;
  await core.audit.record('passkey_used', ctx, userId, { passkeyId: passkey.id, purpose });
  return passkey;
}

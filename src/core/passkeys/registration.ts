import {
  type AuthenticatorTransportFuture,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { Passkey } from '../../store/passkey-store.js';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { randomId } from '../ids.js';
import { callerUser } from '../users/users.js';
import { userHandleOf } from './assertion.js';
import { CHALLENGE_TTL_MS, saveChallenge, signedChallenge, takeChallenge } from './challenges.js';

export type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON };

/**
 * Creation options for a new passkey of the signed-in user: a discoverable credential (so it
 * can sign in without an e-mail address), user verification preferred, and the user's passkeys
 * excluded so one authenticator is not registered twice. The challenge is the handle.
 */
export async function beginPasskeyRegistration(
  core: Core,
  userId: string,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const user = await callerUser(core, userId);
  const existing = await core.stores.passkeys.listByUser(user.id);
  const options = await generateRegistrationOptions({
    rpName: core.relyingParty.name,
    rpID: core.relyingParty.id,
    userName: user.email,
    userDisplayName: user.email,
    userID: userHandleOf(user.id),
    attestationType: 'none',
    timeout: CHALLENGE_TTL_MS,
    excludeCredentials: existing.map((p) => ({
      id: p.credentialId,
      transports: p.transports as AuthenticatorTransportFuture[],
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  });
  await saveChallenge(core, options.challenge, options.challenge, 'register', user.id);
  return options;
}

/** Verifies the authenticator's answer to beginPasskeyRegistration and stores the passkey. */
export async function completePasskeyRegistration(
  core: Core,
  userId: string,
  input: { response: RegistrationResponseJSON; name?: string | undefined },
  ctx: RequestContext,
): Promise<Passkey> {
  const user = await callerUser(core, userId);
  const { challenge } = await takeChallenge(core, signedChallenge(input.response), 'register', user.id);
  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge,
      expectedOrigin: [...core.relyingParty.origins],
      expectedRPID: core.relyingParty.id,
      requireUserVerification: false,
    });
  } catch (error) {
    throw new AuthError('PASSKEY_REGISTRATION_FAILED', { cause: error });
  }
  if (!verification.verified) throw new AuthError('PASSKEY_REGISTRATION_FAILED');
  const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
  const count = (await core.stores.passkeys.listByUser(user.id)).length;
  const passkey: Passkey = {
    id: randomId('pk'),
    userId: user.id,
    credentialId: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: [...new Set(input.response.response.transports ?? [])],
    deviceType: credentialDeviceType,
    backedUp: credentialBackedUp,
    name: input.name ?? `Passkey ${count + 1}`,
    createdAt: core.clock(),
    lastUsedAt: null,
  };
  if (!(await core.stores.passkeys.insert(passkey)))
    throw new AuthError('PASSKEY_REGISTRATION_FAILED', { message: 'This passkey is registered already' });
  await core.audit.record('passkey_registered', ctx, user.id, { passkeyId: passkey.id, backedUp: passkey.backedUp });
  return passkey;
}

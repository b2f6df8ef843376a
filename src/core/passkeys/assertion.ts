import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
} from '@simplewebauthn/server';
import type { Passkey } from '../../store/passkey-store.js';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { CHALLENGE_TTL_MS } from './challenges.js';

export type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON };

/** Request options offering `credentials` (none: any discoverable passkey of this RP). */
export function requestOptions(
  core: Core,
  credentials: { id: string; transports: string[] }[],
  userVerification: 'required' | 'preferred',
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: core.relyingParty.id,
    allowCredentials: credentials.map((c) => ({
      id: c.id,
      transports: c.transports as AuthenticatorTransportFuture[],
    })),
    userVerification,
    timeout: CHALLENGE_TTL_MS,
  });
}

/** The user handle a passkey carries for `userId` (WebAuthn `user.id`): the id's UTF-8 bytes. */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId, 'utf8'));
}

export type AssertionOutcome = 'verified' | 'invalid' | 'cloned';

/**
 * Checks an assertion by `passkey` over `challenge`: origin, RP ID, signature, user presence,
 * user verification when `requireUserVerification`, the user handle when one is sent, and a
 * signature counter that moved forward (else the authenticator was cloned: audited and refused).
 * A verified use is recorded (counter, backup state, time).
 */
export async function checkAssertion(
  core: Core,
  passkey: Passkey,
  response: AuthenticationResponseJSON,
  challenge: string,
  requireUserVerification: boolean,
  ctx: RequestContext,
): Promise<AssertionOutcome> {
  const handle = response.response.userHandle;
  if (handle !== undefined && handle !== Buffer.from(userHandleOf(passkey.userId)).toString('base64url'))
    return 'invalid';
  let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: [...core.relyingParty.origins],
      expectedRPID: core.relyingParty.id,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
        // The counter is compared below, after the signature, so a regression can be told apart
        // from a bad assertion and audited as a clone.
        counter: 0,
      },
      requireUserVerification,
    });
  } catch {
    return 'invalid';
  }
  if (!verification.verified) return 'invalid';
  const { newCounter, credentialBackedUp } = verification.authenticationInfo;
  const movedOn =
    (newCounter === 0 && passkey.counter === 0) || newCounter > passkey.counter
      ? await core.stores.passkeys.recordUse(passkey.id, newCounter, credentialBackedUp, core.clock())
      : false;
  if (!movedOn) {
    await core.audit.record('passkey_clone_detected', ctx, passkey.userId, {
      passkeyId: passkey.id,
      storedCounter: passkey.counter,
      presentedCounter: newCounter,
    });
    return 'cloned';
  }
  return 'verified';
}

import type { ChallengePurpose } from '../../store/passkey-store.js';
import type { Core } from '../core.js';
import { sha256Hex } from '../digests.js';
import { AuthError } from '../errors.js';

/** A WebAuthn ceremony must finish this long after its options were issued (milliseconds). */
export const CHALLENGE_TTL_MS = 300_000;

/**
 * Keeps `challenge` for one answer of `purpose`, by `boundTo` (a user id, a pending login, or
 * null), under `handle`: what the client sends back to name it.
 */
export async function saveChallenge(
  core: Core,
  handle: string,
  challenge: string,
  purpose: ChallengePurpose,
  boundTo: string | null,
): Promise<void> {
  const now = core.clock();
  await core.stores.passkeys.saveChallenge(
    sha256Hex(handle),
    { purpose, boundTo, challenge, expiresAt: now + CHALLENGE_TTL_MS },
    now,
  );
}

/**
 * Takes the challenge named by `handle` out of the store (so it never works twice, on any
 * instance, whatever happens next) and returns it when it is unexpired, for `purpose` and bound
 * to `boundTo` (any binding when undefined); INVALID_PASSKEY_CHALLENGE otherwise.
 */
export async function takeChallenge(
  core: Core,
  handle: string,
  purpose: ChallengePurpose,
  boundTo?: string,
): Promise<{ challenge: string; boundTo: string | null }> {
  const stored = await core.stores.passkeys.takeChallenge(sha256Hex(handle));
  if (
    !stored ||
    stored.expiresAt <= core.clock() ||
    stored.purpose !== purpose ||
    (boundTo !== undefined && stored.boundTo !== boundTo)
  )
    throw new AuthError('INVALID_PASSKEY_CHALLENGE');
  return { challenge: stored.challenge, boundTo: stored.boundTo };
}

/** The challenge a WebAuthn response signed (from its clientDataJSON); INVALID_PASSKEY when unreadable. */
export function signedChallenge(response: { response: { clientDataJSON: string } }): string {
  try {
    const clientData = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'));
    if (typeof clientData?.challenge === 'string' && clientData.challenge.length > 0) return clientData.challenge;
  } catch {}
  throw new AuthError('INVALID_PASSKEY');
}

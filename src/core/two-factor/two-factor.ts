import type { TotpCredential } from '../../store/two-factor-store.js';
import type { User } from '../../store/user-store.js';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { sha256Hex } from '../digests.js';
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes.js';
import { confirmPassword, startSession, type IssuedTokens, type RefreshPolicy } from '../sessions/sessions.js';
import { newJti } from '../keys/tokens.js';
import { callerUser } from '../users/users.js';
import { generateTotpSecret, matchTotp, totpUri } from './totp.js';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '../passkeys/assertion.js';
import { confirmPasskeySecondFactor } from '../passkeys/passkey-confirmation.js';
import { ownPasskeyOptions } from '../passkeys/user-passkeys.js';
import { notify } from '../email/outgoing.js';

const TOTP_CODE = /^\d{6}$/;

export interface TotpSetup {
  /** Base32, for manual entry; returned by setup only, never again. */
  secret: string;
  uri: string;
}

type EnabledCredential = TotpCredential & { secretEnc: string };

function isEnabled(credential: TotpCredential | null): credential is EnabledCredential {
  return credential !== null && credential.enabledAt !== null && credential.secretEnc !== null;
}

/** The user's confirmed TOTP credential; MFA_NOT_ENABLED without one. */
async function enabledCredential(core: Core, userId: string): Promise<EnabledCredential> {
  const credential = await core.stores.twoFactor.findCredential(userId);
  if (!isEnabled(credential)) throw new AuthError('MFA_NOT_ENABLED');
  return credential;
}

export async function isTwoFactorEnabled(core: Core, userId: string): Promise<boolean> {
  return isEnabled(await core.stores.twoFactor.findCredential(userId));
}

/** Starts enrolment: a new pending secret (replacing an unconfirmed one). 409 when 2FA is already on. */
export async function beginTotpSetup(core: Core, user: Pick<User, 'id' | 'email'>): Promise<TotpSetup> {
  if (await isTwoFactorEnabled(core, user.id)) throw new AuthError('MFA_ALREADY_ENABLED');
  const secret = generateTotpSecret();
  await core.stores.twoFactor.setPendingSecret(user.id, core.box.seal(secret, 'totp-secret'));
  return { secret, uri: totpUri(secret, core.config.mfaIssuer, user.email) };
}

/**
 * Confirms enrolment with the first code: 2FA turns on and the recovery codes are returned, once.
 * Codes count like login codes (IP limit, second-factor lockout): a stolen session must not be
 * able to brute-force a setup its owner left unfinished (NIST SP 800-63B 5.2.2).
 */
export async function confirmTotpSetup(
  core: Core,
  userId: string,
  code: string,
  ctx: RequestContext,
): Promise<string[]> {
  const credential = await core.stores.twoFactor.findCredential(userId);
  if (isEnabled(credential)) throw new AuthError('MFA_ALREADY_ENABLED');
  if (!credential?.pendingSecretEnc) throw new AuthError('MFA_SETUP_NOT_STARTED');
  const user = await callerUser(core, userId);
  await core.limits.takeIpAttempt(ctx.ip);
  await core.limits.takeSecondFactorAttempt(user);
  const secret = core.box.open(credential.pendingSecretEnc, 'totp-secret');
  const step = TOTP_CODE.test(code) ? matchTotp(secret, code, core.clock(), core.config.mfaDriftSteps) : null;
  if (step === null) {
    await core.audit.record('mfa_setup_failed', ctx, userId);
    throw new AuthError('INVALID_2FA_CODE');
  }
  await core.limits.clearSecondFactorFailures(user);
  const { codes, hashes } = newRecoveryCodes();
  if (!(await core.stores.twoFactor.enable(userId, step, core.clock(), hashes)))
    throw new AuthError('MFA_ALREADY_ENABLED');
  await core.audit.record('mfa_enabled', ctx, userId);
  return codes;
}

/**
 * Checks a second-factor code for an account with 2FA on: a TOTP code for a step not used before,
 * or an unused recovery code (spent by this call). Every try counts toward the second-factor
 * lockout (the account's, or the device's with a valid device cookie), reserved before checking
 * so parallel guesses cannot pass the limit.
 */
async function verifySecondFactor(
  core: Core,
  credential: EnabledCredential,
  user: Pick<User, 'id' | 'email'>,
  code: string,
  ctx: RequestContext,
): Promise<void> {
  await core.limits.takeSecondFactorAttempt(user);
  const matched = await matchSecondFactor(core, credential, code.trim());
  if (matched === null) {
    await core.audit.record('mfa_failed', ctx, credential.userId);
    throw new AuthError('INVALID_2FA_CODE');
  }
  await core.limits.clearSecondFactorFailures(user);
  if (matched === 'recovery') notify(core, user, 'recovery-codes', 'recovery-code-used');
}

/** Which kind of code `code` is, if it is a TOTP code for a step not used before or an unused recovery code (spent now). */
async function matchSecondFactor(
  core: Core,
  credential: EnabledCredential,
  code: string,
): Promise<'totp' | 'recovery' | null> {
  if (TOTP_CODE.test(code)) {
    const secret = core.box.open(credential.secretEnc, 'totp-secret');
    const step = matchTotp(secret, code, core.clock(), core.config.mfaDriftSteps);
    // A code already accepted once (this step or a later one was used) is a replay.
    return step !== null && (await core.stores.twoFactor.claimStep(credential.userId, step)) ? 'totp' : null;
  }
  const recovery = normalizeRecoveryCode(code);
  const used =
    recovery !== null &&
    (await core.stores.twoFactor.useRecoveryCode(credential.userId, hashRecoveryCode(recovery), core.clock()));
  return used ? 'recovery' : null;
}

/**
 * A full re-authentication of a signed-in user (a password change, a step-up): the password, under
 * the login limits, and with 2FA on a current code or a recovery code too (MFA_CODE_REQUIRED
 * without one).
 */
export async function confirmIdentity(
  core: Core,
  user: User,
  input: { password: string; code?: string | undefined },
  ctx: RequestContext,
): Promise<void> {
  await confirmPassword(core, user, input.password, ctx);
  await confirmSecondFactor(core, user, input.code, ctx);
}

/** With 2FA on, checks `code` as a second factor (MFA_CODE_REQUIRED without one); without 2FA, nothing. */
export async function confirmSecondFactor(
  core: Core,
  user: User,
  code: string | undefined,
  ctx: RequestContext,
): Promise<void> {
  const credential = await core.stores.twoFactor.findCredential(user.id);
  if (!isEnabled(credential)) return;
  if (code === undefined) throw new AuthError('MFA_CODE_REQUIRED');
  await verifySecondFactor(core, credential, user, code, ctx);
}

/** Turns 2FA off: needs the password (under the login limits) and a current code or a recovery code. */
export async function disableTotp(
  core: Core,
  userId: string,
  input: { code: string; password: string },
  ctx: RequestContext,
): Promise<void> {
  return core.hashing.run(async () => {
    // Checked before the password, so a caller without 2FA learns nothing about it.
    const credential = await enabledCredential(core, userId);
    const user = await callerUser(core, userId);
    await confirmPassword(core, user, input.password, ctx);
    await verifySecondFactor(core, credential, user, input.code, ctx);
    await core.stores.twoFactor.disable(userId);
    await core.audit.record('mfa_disabled', ctx, userId);
    notify(core, user, 'two-factor', 'two-factor-disabled');
  });
}

/** Replaces the recovery codes (the old set stops working); needs a current code. */
export async function regenerateRecoveryCodes(
  core: Core,
  userId: string,
  code: string,
  ctx: RequestContext,
): Promise<string[]> {
  const credential = await enabledCredential(core, userId);
  await verifySecondFactor(core, credential, await callerUser(core, userId), code, ctx);
  const { codes, hashes } = newRecoveryCodes();
  await core.stores.twoFactor.replaceRecoveryCodes(userId, hashes, core.clock());
  await core.audit.record('mfa_recovery_codes_regenerated', ctx, userId);
  return codes;
}

/** After a correct password on a 2FA account: a pending token for the second step, and no session yet. */
export async function issuePendingLogin(core: Core, user: User): Promise<string> {
  const jti = newJti();
  const pending = await core.tokens.signPending({ sub: user.id, jti });
  // Not opened if the password changed since it was checked (the change ended this login).
  if (
    !(await core.stores.twoFactor.createPendingLogin(sha256Hex(jti), user.id, pending.exp * 1000, user.passwordHash))
  ) {
    throw new AuthError('INVALID_CREDENTIALS');
  }
  return pending.token;
}

/** What answers the second login step: a TOTP or recovery code, or one of the user's passkeys. */
export type SecondFactorProof = { code: string } | { passkeyResponse: AuthenticationResponseJSON };

/** The pending login behind `pendingToken`, still open; INVALID_PENDING_TOKEN otherwise. */
async function openPendingLogin(core: Core, pendingToken: string): Promise<{ jtiHash: string; userId: string }> {
  const verified = await core.tokens.verifyPending(pendingToken);
  if (!verified.ok) throw new AuthError('INVALID_PENDING_TOKEN');
  const jtiHash = sha256Hex(verified.claims.jti);
  if (!(await core.stores.twoFactor.isPendingLoginOpen(jtiHash))) throw new AuthError('INVALID_PENDING_TOKEN');
  return { jtiHash, userId: verified.claims.sub };
}

/**
 * Options for answering the second login step with a passkey (user verification preferred: the
 * password was the first factor), bound to this pending login; NO_PASSKEY when the user has none.
 */
export async function beginPasskeySecondFactor(
  core: Core,
  pendingToken: string,
  ctx: RequestContext,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  await core.limits.takePasskeyOptionsAttempt(ctx.ip);
  const { jtiHash, userId } = await openPendingLogin(core, pendingToken);
  return ownPasskeyOptions(core, userId, 'second-factor', jtiHash, 'preferred');
}

/**
 * The second login step. The pending token works once, for five minutes, and survives five wrong
 * answers; wrong codes and refused passkeys also count toward the account's 2FA lockout and the
 * client's IP limit.
 */
export async function completePendingLogin(
  core: Core,
  pendingToken: string,
  proof: SecondFactorProof,
  ctx: RequestContext,
  policy: RefreshPolicy,
): Promise<IssuedTokens> {
  await core.limits.takeIpAttempt(ctx.ip);
  const { jtiHash, userId } = await openPendingLogin(core, pendingToken);
  if (!(await core.limits.takePendingTokenAttempt(jtiHash))) {
    await core.stores.twoFactor.spendPendingLogin(jtiHash, core.clock());
    throw new AuthError('INVALID_PENDING_TOKEN', { message: 'Too many wrong codes for this login; log in again' });
  }
  // Read before the pending login is spent: a password change after this read makes startSession
  // refuse, and one before it ended the pending login, so the spend below fails.
  const user = await core.stores.users.findById(userId);
  if (!user) throw new AuthError('INVALID_PENDING_TOKEN');
  const credential = await enabledCredential(core, user.id);
  if ('code' in proof) await verifySecondFactor(core, credential, user, proof.code, ctx);
  else await confirmPasskeySecondFactor(core, user, jtiHash, proof.passkeyResponse, ctx);
  // Spent only now, atomically: of two racing correct submissions, one gets the session.
  if (!(await core.stores.twoFactor.spendPendingLogin(jtiHash, core.clock())))
    throw new AuthError('INVALID_PENDING_TOKEN');
  if (user.disabledAt !== null) throw new AuthError('ACCOUNT_DISABLED');
  return startSession(core, user, ctx, policy);
}

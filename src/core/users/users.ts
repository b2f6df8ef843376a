import { z } from 'zod';
import type { RequestContext } from '../audit.js';
import type { Core } from '../core.js';
import { CREDENTIAL_CACHE_TTL_MS } from '../credentials/credential-cache.js';
import { hashPassword } from '../passwords/password-check.js';
import { checkPasswordPolicy } from '../passwords/password-policy.js';
import { denyKey } from '../revocation/denylist.js';
import { AuthError } from '../errors.js';
import { randomId } from '../ids.js';
import { revokeAllSessionsOf } from '../sessions/sessions.js';
import { normalizeEmail, type Role, type User } from './user.js';

const EMAIL = z.email().max(254);

/**
 * The user an authenticated request speaks for. A valid token whose user is gone (deleted since it
 * was issued) is treated as revoked.
 */
export async function callerUser(core: Core, userId: string): Promise<User> {
  const user = await core.stores.users.findById(userId);
  if (!user) throw new AuthError('TOKEN_REVOKED');
  return user;
}

/** An operator's lookup (CLI): NOT_FOUND names the e-mail, which only an operator sees. */
export async function findUserByEmail(core: Core, email: string): Promise<User> {
  const user = await core.stores.users.findByEmail(normalizeEmail(email));
  if (!user) throw new AuthError('NOT_FOUND', { message: `no user with email ${email}` });
  return user;
}

/**
 * The plan name as stored (upper case); VALIDATION_FAILED unless `plans` (the PLANS setting)
 * lists it. `field` names the input in the message.
 */
export function checkPlan(plans: readonly string[], plan: string, field = 'plan'): string {
  const name = plan.trim().toUpperCase();
  if (!plans.includes(name))
    throw new AuthError('VALIDATION_FAILED', {
      message: `${field}: expected one of ${plans.join(', ')} (the PLANS setting)`,
    });
  return name;
}

export interface NewUser {
  email: string;
  password: string;
  role?: Role;
  plan?: string;
  /** Whether the address counts as proven from the start (an operator's account). Default false. */
  verified?: boolean;
}

/** VALIDATION_FAILED unless `email` is an address login accepts (http/schemas.ts): an account under another could never sign in. */
export function checkEmailAddress(email: string, field = 'email'): void {
  if (!EMAIL.safeParse(email.trim()).success)
    throw new AuthError('VALIDATION_FAILED', { message: `${field}: must be a valid email address` });
}

/** Creates a user; throws EMAIL_TAKEN when the e-mail (compared case-insensitively) exists. */
export async function createUser(core: Core, input: NewUser): Promise<User> {
  checkEmailAddress(input.email);
  checkPasswordPolicy(input.password, input.email);
  const now = core.clock();
  const created = await core.stores.users.create(
    {
      id: randomId('user'),
      email: input.email.trim(),
      role: input.role ?? 'USER',
      // The first plan of the PLANS setting is the default one.
      plan: input.plan === undefined ? core.config.plans[0]! : checkPlan(core.config.plans, input.plan),
      passwordHash: await hashPassword(core, input.password),
      createdAt: now,
      disabledAt: null,
      emailVerifiedAt: input.verified ? now : null,
    },
    normalizeEmail(input.email),
  );
  if (!created) throw new AuthError('EMAIL_TAKEN');
  return created;
}

/** Self sign-up: always a USER on the default plan. */
export async function registerUser(
  core: Core,
  input: { email: string; password: string },
  ctx: RequestContext,
): Promise<User> {
  if (!core.config.registrationEnabled) throw new AuthError('REGISTRATION_DISABLED');
  // Sign-up shares the login IP budget, which bounds how fast it can probe for existing e-mails.
  await core.limits.takeIpAttempt(ctx.ip);
  const user = await createUser(core, input);
  await core.audit.record('user_registered', ctx, user.id);
  return user;
}

/**
 * Disables (or re-enables) a user. Disabling revokes every session at once and makes every
 * instance drop its cached lookups of the user's credentials (which the database then refuses).
 */
export async function setUserDisabled(core: Core, userId: string, disabled: boolean): Promise<boolean> {
  const now = core.clock();
  const found = await core.stores.users.setDisabled(userId, disabled ? now : null, now);
  if (!found || !disabled) return found;
  await revokeAllSessionsOf(core, userId);
  await core.denylist.revoke([denyKey.user(userId)], now + 2 * CREDENTIAL_CACHE_TTL_MS);
  return true;
}

import { randomBytes } from 'node:crypto';
import type { EmailToken, EmailTokenKind } from '../../store/email-token-store.js';
import type { User } from '../../store/user-store.js';
import type { Core } from '../core.js';
import { safeEqual, sha256Hex } from '../digests.js';
import { AuthError } from '../errors.js';
import { normalizeEmail } from '../users/user.js';

/** The dashboard page each kind of link opens. */
const PAGES: Record<EmailTokenKind, string> = {
  'password-reset': 'reset-password',
  'email-verification': 'verify-email',
  'email-change': 'confirm-email',
};

function lifetimeSeconds(core: Core, kind: EmailTokenKind): number {
  if (kind === 'password-reset') return core.config.passwordResetTokenTtlSeconds;
  if (kind === 'email-verification') return core.config.emailVerificationTokenTtlSeconds;
  return core.config.emailChangeTokenTtlSeconds;
}

/** What a link is bound to: the account's password and address, so changing either kills it. */
function bindingOf(user: Pick<User, 'passwordHash' | 'email'>): string {
  return sha256Hex(`${user.passwordHash}\n${normalizeEmail(user.email)}`);
}

/** `<PUBLIC_URL>/<page>#token=...`: in the fragment, so the token reaches no server log or Referer. */
export function emailLink(core: Core, kind: EmailTokenKind, token: string): string {
  return `${core.config.publicUrl}/${PAGES[kind]}#token=${token}`;
}

/** "30 minutes", "24 hours": how long a link works, for the mail's text. */
function describeSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/**
 * Stores a new link token (256 random bits, kept as its SHA-256) for `user`, mailed to `email`;
 * returns the template values `link` and `expires_in`.
 */
export async function issueEmailLink(
  core: Core,
  user: User,
  kind: EmailTokenKind,
  email: string,
): Promise<{ link: string; expires_in: string }> {
  const token = randomBytes(32).toString('base64url');
  const now = core.clock();
  await core.stores.emailTokens.create({
    tokenHash: sha256Hex(token),
    kind,
    userId: user.id,
    email,
    binding: bindingOf(user),
    createdAt: now,
    expiresAt: now + lifetimeSeconds(core, kind) * 1000,
    usedAt: null,
  });
  return { link: emailLink(core, kind, token), expires_in: describeSeconds(lifetimeSeconds(core, kind)) };
}

/** A live link token and its account as it stands now. */
export interface RedeemableToken {
  stored: EmailToken;
  user: User;
}

/**
 * The token's record and account if the token is of `kind`, unused, unexpired, and the account's
 * password and address are still those it was made for; INVALID_EMAIL_TOKEN whatever the reason.
 * Not spent yet: see spendEmailToken.
 */
export async function findEmailToken(core: Core, token: string, kind: EmailTokenKind): Promise<RedeemableToken> {
  const stored = await core.stores.emailTokens.findLive(sha256Hex(token), kind, core.clock());
  const user = stored ? await core.stores.users.findById(stored.userId) : null;
  if (!stored || !user || user.disabledAt !== null || !safeEqual(stored.binding, bindingOf(user)))
    throw new AuthError('INVALID_EMAIL_TOKEN');
  return { stored, user };
}

/** Spends the token once; of racing redemptions only one gets past this. */
export async function spendEmailToken(core: Core, found: RedeemableToken): Promise<void> {
  if (!(await core.stores.emailTokens.spend(found.stored.tokenHash, core.clock())))
    throw new AuthError('INVALID_EMAIL_TOKEN');
}

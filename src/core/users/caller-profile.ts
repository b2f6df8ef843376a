import type { Core } from '../core.js';
import { isTwoFactorEnabled } from '../two-factor/two-factor.js';
import { publicUser, type PublicUser } from './user.js';
import { callerUser } from './users.js';

/** What `/auth/me` shows: the caller, whether it has 2FA on and whether its address is verified. */
export interface CallerProfile {
  user: PublicUser;
  twoFactorEnabled: boolean;
  emailVerified: boolean;
}

export async function callerProfile(core: Core, userId: string): Promise<CallerProfile> {
  const found = await callerUser(core, userId);
  return {
    user: publicUser(found),
    twoFactorEnabled: await isTwoFactorEnabled(core, found.id),
    emailVerified: found.emailVerifiedAt !== null,
  };
}

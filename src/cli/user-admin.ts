import type { Config } from '../config/index.js';
import {
  checkRole,
  deleteUser,
  findUserByEmail,
  describeUser,
  listUsers,
  resetTwoFactor,
  setUserPlan,
  setUserRole,
  type UserDetails,
} from '../core/index.js';
import type { User } from '../store/user-store.js';
import { confirmDeletion } from './confirm.js';
import { iso, table } from './table.js';
import { CLI_CONTEXT, withCore } from './users.js';

function listed(user: User) {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    plan: user.plan,
    createdAt: iso(user.createdAt),
    disabledAt: iso(user.disabledAt),
    emailVerified: user.emailVerifiedAt !== null,
  };
}

/** `latchkey user list [--json]`: every user, oldest first. */
export async function userList(config: Readonly<Config>, options: { json?: boolean }): Promise<void> {
  await withCore(config, async (core) => {
    const users = (await listUsers(core)).map(listed);
    if (options.json) return console.log(JSON.stringify(users, null, 2));
    if (users.length === 0) return console.log('no users');
    const rows = users.map((u) => [
      u.id,
      u.email,
      u.emailVerified ? 'yes' : 'no',
      u.role,
      u.plan,
      u.disabledAt ? 'disabled' : 'active',
      u.createdAt!,
    ]);
    console.log(table(['ID', 'EMAIL', 'VERIFIED', 'ROLE', 'PLAN', 'STATUS', 'CREATED'], rows));
  });
}

function shown(details: UserDetails) {
  return {
    ...details,
    createdAt: iso(details.createdAt),
    disabledAt: iso(details.disabledAt),
    personalAccessTokens: details.personalAccessTokens.map((t) => ({
      ...t,
      createdAt: iso(t.createdAt),
      lastUsedAt: iso(t.lastUsedAt),
    })),
    passkeys: details.passkeys.map((p) => ({ ...p, createdAt: iso(p.createdAt), lastUsedAt: iso(p.lastUsedAt) })),
  };
}

/** `latchkey user show <email> [--json]`: one user, with 2FA, sessions, credentials and passkeys (never a secret). */
export async function userShow(config: Readonly<Config>, email: string, options: { json?: boolean }): Promise<void> {
  await withCore(config, async (core) => {
    const details = shown(await describeUser(core, await findUserByEmail(core, email)));
    if (options.json) return console.log(JSON.stringify(details, null, 2));
    const lines = [
      `id:          ${details.id}`,
      `email:       ${details.email} (${details.emailVerified ? 'verified' : 'not verified'})`,
      `role:        ${details.role}`,
      `plan:        ${details.plan}`,
      `status:      ${details.disabledAt ? `disabled since ${details.disabledAt}` : 'active'}`,
      `created:     ${details.createdAt}`,
      `two-factor:  ${details.twoFactorEnabled ? 'on' : 'off'}`,
      `sessions:    ${details.liveSessions} live`,
      `ingest key:  ${details.hasIngestKey ? 'yes' : 'none'}`,
      `tokens:      ${details.personalAccessTokens.length}`,
      ...details.personalAccessTokens.map(
        (t) => `  ${t.prefix}  ${t.role}  ${JSON.stringify(t.name)}  created ${t.createdAt}`,
      ),
      `passkeys:    ${details.passkeys.length}`,
      ...details.passkeys.map(
        (p) =>
          `  ${p.id}  ${JSON.stringify(p.name)}  ${p.backedUp ? 'synced' : 'device-bound'}  created ${p.createdAt}  last used ${p.lastUsedAt ?? 'never'}`,
      ),
    ];
    console.log(lines.join('\n'));
  });
}

/** `latchkey user set-role <email> <role>`: on a demotion, lists the tokens it revoked. */
export async function userSetRole(config: Readonly<Config>, email: string, roleName: string): Promise<void> {
  const role = checkRole(roleName);
  await withCore(config, async (core) => {
    const user = await findUserByEmail(core, email);
    const change = await setUserRole(core, user.id, role, CLI_CONTEXT);
    console.log(`role of ${user.email} (${user.id}) set to ${change.role} (was ${change.previousRole})`);
    if (change.revokedTokens.length > 0) {
      console.log(`revoked ${change.revokedTokens.length} personal access token(s) created under a higher role:`);
      for (const token of change.revokedTokens)
        console.log(`  ${token.prefix}  ${token.role}  ${JSON.stringify(token.name)}  (${token.id})`);
    }
    if (change.sessionsEnded > 0)
      console.log(`${change.sessionsEnded} session(s) signed out (their access tokens carried ${change.previousRole})`);
  });
}

/** `latchkey user set-plan <email> <plan>`: one of the PLANS setting. */
export async function userSetPlan(config: Readonly<Config>, email: string, plan: string): Promise<void> {
  await withCore(config, async (core) => {
    const user = await findUserByEmail(core, email);
    const name = await setUserPlan(core, user.id, plan, CLI_CONTEXT);
    console.log(`plan of ${user.email} (${user.id}) set to ${name} (was ${user.plan})`);
  });
}

/** `latchkey user reset-2fa <email>`: for a user who lost both the authenticator and the recovery codes. */
export async function userResetTwoFactor(config: Readonly<Config>, email: string): Promise<void> {
  await withCore(config, async (core) => {
    const user = await findUserByEmail(core, email);
    const ended = await resetTwoFactor(core, user, CLI_CONTEXT);
    console.log(`two-factor removed for ${user.email} (${user.id}); ${ended} session(s) signed out`);
  });
}

/** `latchkey user delete <email> [--yes]`: the user and all the user's data; asks first at a terminal. */
export async function userDelete(config: Readonly<Config>, email: string, options: { yes?: boolean }): Promise<void> {
  await withCore(config, async (core) => {
    const user = await findUserByEmail(core, email);
    await confirmDeletion(
      'user delete',
      options,
      `Delete ${user.email} (${user.id}) with every session, token, key, agent and voice log? Type the e-mail address to confirm: `,
      user.email,
    );
    const { files } = await deleteUser(core, user, CLI_CONTEXT);
    console.log(`deleted ${user.email} (${user.id}) and ${files} uploaded file(s)`);
  });
}

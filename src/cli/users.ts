import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Config } from '../config/index.js';
import {
  AuthError,
  checkPlan,
  checkRole,
  createUser,
  findUserByEmail,
  resetPassword,
  setUserDisabled,
  unlockAccount,
} from '../core/index.js';
import { openCore } from '../server.js';
import { CLI_LOG } from './cli-log.js';

export async function withCore<T>(
  config: Readonly<Config>,
  run: (core: Awaited<ReturnType<typeof openCore>>) => Promise<T>,
): Promise<T> {
  const core = await openCore(config, undefined, CLI_LOG);
  try {
    return await run(core);
  } finally {
    await core.close();
  }
}

// What the audit log records as the origin of an operator's change.
export const CLI_CONTEXT = { ip: 'cli', userAgent: 'latchkey cli' };

/**
 * The first line of standard input, without its line ending. At a terminal it is asked for and
 * typed without echo; the prompt goes to stderr, so stdout keeps only the command's answer.
 */
async function readPassword(): Promise<string> {
  const terminal = process.stdin.isTTY === true;
  let echo = true;
  // readline echoes what is typed to its output: this one drops it while the password is typed.
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (echo) process.stderr.write(chunk);
      done();
    },
  });
  const lines = createInterface({ input: process.stdin, output, terminal });
  // At a terminal Ctrl-C arrives as a key, not a signal: it must still stop the command.
  lines.once('SIGINT', () => {
    process.stderr.write('\n');
    process.exit(130);
  });
  if (terminal) {
    output.write('Password: ');
    echo = false;
  }
  try {
    return await new Promise<string>((resolve) => {
      lines.once('line', resolve);
      lines.once('close', () => resolve(''));
    });
  } finally {
    lines.close();
    if (terminal) process.stderr.write('\n');
  }
}

interface PasswordOptions {
  password?: string;
  passwordStdin?: boolean;
}

/** The password from `--password` or, with `--password-stdin`, from standard input. */
async function passwordFrom(options: PasswordOptions): Promise<string> {
  if ((options.password === undefined) === !options.passwordStdin) {
    throw new AuthError('VALIDATION_FAILED', { message: '--password or --password-stdin: give exactly one' });
  }
  return options.password ?? (await readPassword());
}

/** `latchkey user create`: prints the new user's id. */
export async function userCreate(
  config: Readonly<Config>,
  options: PasswordOptions & { email: string; role: string; plan?: string; unverified?: boolean },
): Promise<void> {
  const role = checkRole(options.role, '--role');
  // Checked before a password is asked for: the operator should not type it for nothing.
  const plan = options.plan === undefined ? undefined : checkPlan(config.plans, options.plan, '--plan');
  const password = await passwordFrom(options);
  await withCore(config, async (core) => {
    const user = await createUser(core, {
      email: options.email,
      password,
      role,
      // The operator vouches for the address, unless told otherwise.
      verified: options.unverified !== true,
      ...(plan === undefined ? {} : { plan }),
    });
    console.log(user.id);
  });
}

/** `latchkey user set-password`: a new password, every session signed out, a lockout ended. */
export async function userSetPassword(
  config: Readonly<Config>,
  options: PasswordOptions & { email: string },
): Promise<void> {
  const password = await passwordFrom(options);
  await withCore(config, async (core) => {
    const user = await findUserByEmail(core, options.email);
    const revoked = await resetPassword(core, user.id, password, CLI_CONTEXT);
    console.log(`password set for ${user.id}; ${revoked} session(s) signed out`);
  });
}

/** `latchkey user unlock`: clears the failed-login and failed-2FA counts, ending a lockout. */
export async function userUnlock(config: Readonly<Config>, options: { email: string }): Promise<void> {
  await withCore(config, async (core) => {
    await unlockAccount(core, options.email);
    console.log(`unlocked ${options.email}`);
  });
}

/** `latchkey user disable` / `enable`: a disabled user cannot log in, and its sessions are revoked. */
export async function userSetDisabled(
  config: Readonly<Config>,
  options: { email: string },
  disabled: boolean,
): Promise<void> {
  await withCore(config, async (core) => {
    const user = await findUserByEmail(core, options.email);
    if (!(await setUserDisabled(core, user.id, disabled)))
      throw new AuthError('NOT_FOUND', { message: `no user with email ${options.email}` });
    console.log(`${disabled ? 'disabled' : 'enabled'} ${user.id}`);
  });
}

/** `latchkey keys rotate`: adds a signing key; old keys keep verifying. */
export async function keysRotate(config: Readonly<Config>): Promise<void> {
  await withCore(config, async (core) => console.log(`new signing key: ${await core.keys.rotate()}`));
}

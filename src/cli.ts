#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError, loadConfig, StartupError } from './config/index.js';
import { AuthError } from './core/errors.js';
import { migrate } from './cli/migrate.js';
import { serve } from './cli/serve.js';
import { keysRotate, userCreate, userSetDisabled, userSetPassword, userUnlock } from './cli/users.js';

const program = new Command('latchkey').description('Self-hosted authentication server').showHelpAfterError();

// Each action loads the configuration itself, so `--help` works without a valid environment.
program.command('serve').description('run the HTTP server').action(() => serve(loadConfig()));
program.command('migrate').description('bring the database schema up to date').action(() => migrate(loadConfig()));

const user = program.command('user').description('manage users');
user
  .command('create')
  .description("create a user and print its id")
  .requiredOption('--email <email>', 'e-mail address')
  .option('--password <password>', 'password (8 to 128 characters); other local users can read it in the process list')
  .option('--password-stdin', 'read the password from standard input instead (its first line; asked for without echo at a terminal)')
  .option('--role <role>', 'USER or ADMIN', 'USER')
  .option('--plan <plan>', 'plan name', 'STARTER')
  .action((options) => userCreate(loadConfig(), options));
user
  .command('set-password')
  .description('set a new password, sign every session out and end a lockout')
  .requiredOption('--email <email>', 'e-mail address')
  .option('--password <password>', 'the new password (8 to 128 characters); other local users can read it in the process list')
  .option('--password-stdin', 'read the new password from standard input instead (its first line; asked for without echo at a terminal)')
  .action((options) => userSetPassword(loadConfig(), options));
user.command('unlock').description('end a password or 2FA lockout (also one counted for an e-mail with no account)').requiredOption('--email <email>', 'e-mail address').action((o) => userUnlock(loadConfig(), o));
user.command('disable').description('block logins, revoke every session, refuse tokens and keys while disabled').requiredOption('--email <email>', 'e-mail address').action((o) => userSetDisabled(loadConfig(), o, true));
user.command('enable').description('allow a disabled user again').requiredOption('--email <email>', 'e-mail address').action((o) => userSetDisabled(loadConfig(), o, false));

program.command('keys').description('signing keys').command('rotate').description('add a new signing key').action(() => keysRotate(loadConfig()));

program.parseAsync().catch((error: unknown) => {
  // One line for the operator; the stack only when asked for, since it says nothing they can act
  // on (and an unexpected error is reported as one, with what to do).
  const expected = error instanceof ConfigError || error instanceof AuthError || error instanceof StartupError;
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  console.error(expected ? `latchkey: ${message}` : `latchkey: unexpected error: ${message} (LOG_LEVEL=debug shows the stack)`);
  if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') console.error(error);
  process.exit(1);
});

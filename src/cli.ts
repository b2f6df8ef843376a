#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError, loadConfig, StartupError } from './config/index.js';
import { AuthError, CLIENT_NAME_MAX_LENGTH, SCOPES } from './core/index.js';
import { backup, restore } from './cli/backup.js';
import { clientCreate, clientDelete, clientList, clientRotateSecret } from './cli/clients.js';
import { mailOutbox } from './cli/mail.js';
import { migrate } from './cli/migrate.js';
import { serve } from './cli/serve.js';
import { VERSION } from './version.js';
import { userDelete, userList, userResetTwoFactor, userSetPlan, userSetRole, userShow } from './cli/user-admin.js';
import { keysRotate, userCreate, userSetDisabled, userSetPassword, userUnlock } from './cli/users.js';

const program = new Command('latchkey')
  .description('Self-hosted authentication server')
  .version(VERSION, '-V, --version', 'print the version')
  .showHelpAfterError();

// Each action loads the configuration itself, so `--help` works without a valid environment.
program
  .command('serve')
  .description('run the HTTP server')
  .action(() => serve(loadConfig()));
program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(() => migrate(loadConfig()));

const user = program.command('user').description('manage users');
user
  .command('create')
  .description('create a user and print its id')
  .requiredOption('--email <email>', 'e-mail address')
  .option('--password <password>', 'password (8 to 128 characters); other local users can read it in the process list')
  .option(
    '--password-stdin',
    'read the password from standard input instead (its first line; asked for without echo at a terminal)',
  )
  .option('--role <role>', 'USER or ADMIN', 'USER')
  .option('--plan <plan>', 'one of the PLANS setting (default: its first, STARTER unless configured)')
  .option('--unverified', 'leave the e-mail address unverified (the account gets no verification mail)')
  .action((options) => userCreate(loadConfig(), options));
user
  .command('set-password')
  .description('set a new password, sign every session out and end a lockout')
  .requiredOption('--email <email>', 'e-mail address')
  .option(
    '--password <password>',
    'the new password (8 to 128 characters); other local users can read it in the process list',
  )
  .option(
    '--password-stdin',
    'read the new password from standard input instead (its first line; asked for without echo at a terminal)',
  )
  .action((options) => userSetPassword(loadConfig(), options));
user
  .command('unlock')
  .description('end a password or 2FA lockout')
  .requiredOption('--email <email>', 'e-mail address')
  .action((o) => userUnlock(loadConfig(), o));
user
  .command('disable')
  .description('block logins, revoke every session, refuse tokens and keys while disabled')
  .requiredOption('--email <email>', 'e-mail address')
  .action((o) => userSetDisabled(loadConfig(), o, true));
user
  .command('enable')
  .description('allow a disabled user again')
  .requiredOption('--email <email>', 'e-mail address')
  .action((o) => userSetDisabled(loadConfig(), o, false));

user
  .command('list')
  .description('list every user, oldest first')
  .option('--json', 'print JSON instead of a table')
  .action((o) => userList(loadConfig(), o));
user
  .command('show')
  .description('show a user: role, plan, 2FA, sessions, tokens (never a secret)')
  .argument('<email>', 'e-mail address')
  .option('--json', 'print JSON')
  .action((email, o) => userShow(loadConfig(), email, o));
user
  .command('set-role')
  .description("set a user's role; lowering it revokes the tokens created under the higher role and signs the user out")
  .argument('<email>', 'e-mail address')
  .argument('<role>', 'USER or ADMIN')
  .action((email, role) => userSetRole(loadConfig(), email, role));
user
  .command('set-plan')
  .description("set a user's plan (one of the PLANS setting)")
  .argument('<email>', 'e-mail address')
  .argument('<plan>', 'plan name')
  .action((email, plan) => userSetPlan(loadConfig(), email, plan));
user
  .command('reset-2fa')
  .description('remove 2FA for a user who lost the authenticator and the recovery codes; signs every session out')
  .argument('<email>', 'e-mail address')
  .action((email) => userResetTwoFactor(loadConfig(), email));
user
  .command('delete')
  .description(
    "delete a user with all the user's data (sessions, tokens, keys, 2FA, agents, voice logs and their files)",
  )
  .argument('<email>', 'e-mail address')
  .option('--yes', 'do not ask for confirmation (needed without a terminal)')
  .action((email, o) => userDelete(loadConfig(), email, o));

const client = program.command('client').description('manage OAuth clients (service accounts and resource servers)');
client
  .command('create')
  .description('register a client and print its client_id and secret (the secret is shown this once)')
  .requiredOption('--name <name>', `a name to recognise it by (1 to ${CLIENT_NAME_MAX_LENGTH} characters)`)
  .requiredOption('--scopes <scopes>', `comma-separated scopes it may be granted: ${SCOPES.join(', ')}`)
  .option('--introspect', 'may call /oauth/introspect (a resource server)')
  .option('--revocations', 'may read the revocation feed /oauth/revocations (a resource server)')
  .option('--json', 'print JSON')
  .action((o) => clientCreate(loadConfig(), o));
client
  .command('list')
  .description('list every client, oldest first (never a secret)')
  .option('--json', 'print JSON instead of a table')
  .action((o) => clientList(loadConfig(), o));
client
  .command('rotate-secret')
  .description('give a client a new secret; the old one stops at once and every token issued under it is revoked')
  .argument('<client_id>', 'the client_id')
  .option('--json', 'print JSON')
  .action((id, o) => clientRotateSecret(loadConfig(), id, o));
client
  .command('delete')
  .description('delete a client; every token it was issued is revoked')
  .argument('<client_id>', 'the client_id')
  .option('--yes', 'do not ask for confirmation (needed without a terminal)')
  .action((id, o) => clientDelete(loadConfig(), id, o));

program
  .command('mail')
  .description('mail')
  .command('outbox')
  .description('list the mails written to DATA_DIR/outbox (without SMTP_URL), oldest first')
  .option('--json', 'print JSON instead of a table')
  .action((o) => mailOutbox(loadConfig(), o));

program
  .command('keys')
  .description('signing keys')
  .command('rotate')
  .description('add a new signing key')
  .action(() => keysRotate(loadConfig()));

program
  .command('backup')
  .description('copy the embedded database, safe while the server runs (PostgreSQL: use pg_dump)')
  .requiredOption('--to <file>', 'where to write the copy')
  .action((o) => backup(loadConfig(), o.to));
program
  .command('restore')
  .description('restore a backup: every session ends and the signing keys are replaced')
  .option('--from <file>', 'the embedded backup to put in place of the database')
  .option('--in-place', 'the database already holds the backup (after pg_restore)')
  .option('--yes', 'do not ask for confirmation (needed without a terminal)')
  .action((o) => restore(loadConfig(), o));

program.parseAsync().catch((error: unknown) => {
  // One line for the operator; the stack only when asked for, since it says nothing they can act
  // on (and an unexpected error is reported as one, with what to do).
  const expected = error instanceof ConfigError || error instanceof AuthError || error instanceof StartupError;
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  console.error(
    expected ? `latchkey: ${message}` : `latchkey: unexpected error: ${message} (LOG_LEVEL=debug shows the stack)`,
  );
  if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') console.error(error);
  process.exit(1);
});

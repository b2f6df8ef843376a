import type { Config } from '../config/index.js';
import {
  AuthError,
  type ClientActor,
  checkClientInput,
  deleteClient,
  findClient,
  listClients,
  registerClient,
  rotateClientSecret,
} from '../core/index.js';
import type { OAuthClient } from '../store/client-store.js';
import { confirmDeletion } from './confirm.js';
import { iso, table } from './table.js';
import { CLI_CONTEXT, withCore } from './users.js';

// The operator acts as no user; the audit log records the command line as the origin.
const OPERATOR: ClientActor = { userId: null, ctx: CLI_CONTEXT };

const SHOWN_ONCE = 'The secret is shown this once and only its hash is kept: store it now.';

/** What is shown of a client: never its secret or the secret's hash. */
function listed(client: OAuthClient) {
  return {
    clientId: client.id,
    name: client.name,
    scopes: client.scopes,
    canIntrospect: client.canIntrospect,
    canReadRevocations: client.canReadRevocations,
    secretPrefix: client.secretPrefix,
    createdBy: client.createdBy,
    createdAt: iso(client.createdAt),
    secretRotatedAt: iso(client.secretRotatedAt),
    lastUsedAt: iso(client.lastUsedAt),
  };
}

function permissions(client: OAuthClient): string {
  const granted = [client.canIntrospect && 'introspect', client.canReadRevocations && 'revocations'].filter(Boolean);
  return granted.length === 0 ? '-' : granted.join(',');
}

/** The core names no id when a client is missing (over HTTP it would echo the caller's text); here it may. */
async function namingMissing<T>(clientId: string, action: Promise<T>): Promise<T> {
  try {
    return await action;
  } catch (error) {
    if (error instanceof AuthError && error.code === 'NOT_FOUND')
      throw new AuthError('NOT_FOUND', { message: `no OAuth client with id ${clientId}` });
    throw error;
  }
}

/** Prints a secret just made, with the warning that it is not shown again (stderr under --json). */
function printSecret(client: OAuthClient, secret: string, json: boolean | undefined, note: string): void {
  if (json) {
    console.log(JSON.stringify({ client: listed(client), clientSecret: secret }, null, 2));
    console.error(`latchkey: ${SHOWN_ONCE}`);
    return;
  }
  console.log([`client_id:     ${client.id}`, `client_secret: ${secret}`, note, SHOWN_ONCE].join('\n'));
}

/** `latchkey client create --name <name> --scopes <a,b> [--introspect] [--revocations] [--json]`. */
export async function clientCreate(
  config: Readonly<Config>,
  options: { name: string; scopes: string; introspect?: boolean; revocations?: boolean; json?: boolean },
): Promise<void> {
  // Checked before the database is opened: a refused command writes nothing.
  const { name, scopes } = checkClientInput(
    { name: options.name, scopes: options.scopes.split(',').map((scope) => scope.trim()) },
    { name: '--name', scopes: '--scopes' },
  );
  await withCore(config, async (core) => {
    const input = {
      name,
      scopes,
      canIntrospect: options.introspect === true,
      canReadRevocations: options.revocations === true,
    };
    const { client, secret } = await registerClient(core, input, OPERATOR);
    printSecret(client, secret, options.json, `registered ${JSON.stringify(client.name)}: ${client.scopes.join(' ')}`);
  });
}

/** `latchkey client list [--json]`: every client, oldest first (never a secret). */
export async function clientList(config: Readonly<Config>, options: { json?: boolean }): Promise<void> {
  await withCore(config, async (core) => {
    const clients = await listClients(core);
    if (options.json) return console.log(JSON.stringify(clients.map(listed), null, 2));
    if (clients.length === 0) return console.log('no OAuth clients');
    const rows = clients.map((c) => [
      c.id,
      // Quoted: an ADMIN chose the name over HTTP, and it must not pass for other columns.
      JSON.stringify(c.name),
      c.scopes.join(','),
      permissions(c),
      c.secretPrefix,
      iso(c.createdAt)!,
      iso(c.lastUsedAt) ?? 'never',
    ]);
    console.log(table(['CLIENT ID', 'NAME', 'SCOPES', 'PERMISSIONS', 'SECRET', 'CREATED', 'LAST USED'], rows));
  });
}

/** `latchkey client rotate-secret <client_id> [--json]`: a new secret; every earlier token is revoked. */
export async function clientRotateSecret(
  config: Readonly<Config>,
  clientId: string,
  options: { json?: boolean },
): Promise<void> {
  await withCore(config, async (core) => {
    const { client, secret } = await namingMissing(clientId, rotateClientSecret(core, clientId, OPERATOR));
    const note = 'The old secret no longer authenticates, and every token issued before now is revoked.';
    printSecret(client, secret, options.json, note);
  });
}

/** `latchkey client delete <client_id> [--yes]`: asks first at a terminal; the client's tokens are revoked. */
export async function clientDelete(
  config: Readonly<Config>,
  clientId: string,
  options: { yes?: boolean },
): Promise<void> {
  await withCore(config, async (core) => {
    const found = await namingMissing(clientId, findClient(core, clientId));
    await confirmDeletion(
      'client delete',
      options,
      `Delete OAuth client ${JSON.stringify(found.name)} (${found.id})? Its tokens stop working at once. Type its name to confirm: `,
      found.name,
    );
    const client = await namingMissing(clientId, deleteClient(core, clientId, OPERATOR));
    console.log(`deleted OAuth client ${JSON.stringify(client.name)} (${client.id}); its tokens are revoked`);
  });
}

import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
// PostgreSQL refuses to run as root: a root test runs the cluster as the postgres system user.
const AS_ROOT = process.getuid?.() === 0;

function idOf(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
}

/**
 * A PostgreSQL cluster of a test's own, in a temporary directory on `port` (loopback only, trust
 * auth), that the test may restart in any shutdown mode without touching the shared server.
 */
export class OwnPostgres {
  private readonly dir = mkdtempSync(join(tmpdir(), 'latchkey-pg-'));
  constructor(readonly port: number) {}

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const command = join(BIN, tool);
    if (AS_ROOT) await run('runuser', ['-u', 'postgres', '--', command, ...args]);
    else await run(command, args);
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  private startArgs(): string[] {
    // The socket directory is the cluster's own, so nothing clashes with the shared server's.
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=on`;
    return ['-D', this.data, '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '60'];
  }

  /** Creates the cluster and starts it, waiting until it accepts connections. */
  async start(): Promise<void> {
    if (AS_ROOT) chownSync(this.dir, idOf('-u'), idOf('-g'));
    await this.pg('initdb', ['-D', this.data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    await this.pg('pg_ctl', ['start', ...this.startArgs()]);
  }

  /** `pg_ctl restart -m <mode>`: `fast` ends sessions cleanly, `immediate` as a crash would (recovery at start). */
  async restart(mode: 'fast' | 'immediate'): Promise<void> {
    await this.pg('pg_ctl', ['restart', '-m', mode, ...this.startArgs()]);
  }

  /** Stops the server (fast shutdown) until `resume`: the database is unreachable meanwhile. */
  async stop(): Promise<void> {
    await this.pg('pg_ctl', ['stop', '-D', this.data, '-m', 'fast', '-w']);
  }

  async resume(): Promise<void> {
    await this.pg('pg_ctl', ['start', ...this.startArgs()]);
  }

  async dispose(): Promise<void> {
    await this.pg('pg_ctl', ['stop', '-D', this.data, '-m', 'immediate', '-w']).catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}

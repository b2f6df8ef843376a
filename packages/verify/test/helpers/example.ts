import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { cliEnv, run } from '../../../../test/helpers/cli.js';

const EXAMPLE = fileURLToPath(new URL('../../../../examples/agents-api/src/', import.meta.url));
const STARTUP_MS = 15_000;
const STOP_MS = 10_000;

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * Registers a client as the README says, with `latchkey client create` (the built CLI) against
 * the data of `env` (DATA_DIR, or DATABASE_URL and REDIS_URL).
 */
export async function createClientWithCli(
  dataDir: string,
  env: Record<string, string>,
  options: { name: string; scopes: string; resourceServer: boolean },
): Promise<ClientCredentials> {
  const args = ['client', 'create', '--name', options.name, '--scopes', options.scopes, '--json'];
  if (options.resourceServer) args.push('--introspect', '--revocations');
  const result = await run(args, cliEnv(dataDir, env));
  if (result.code !== 0) throw new Error(`latchkey client create failed: ${result.stderr}`);
  const { client, clientSecret } = JSON.parse(result.stdout);
  return { clientId: client.clientId, clientSecret };
}

/** The example service (examples/agents-api) as its own process, on `framework`. */
export class ExampleService {
  private constructor(
    private readonly child: ChildProcess,
    readonly base: string,
    private readonly exited: Promise<[number | null, NodeJS.Signals | null]>,
  ) {}

  static async start(
    framework: 'fastify' | 'express' | 'hono',
    issuer: string,
    client: ClientCredentials,
    port: number,
  ): Promise<ExampleService> {
    const child = spawn(process.execPath, [`${EXAMPLE}${framework}.js`], {
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        LATCHKEY_ISSUER: issuer,
        LATCHKEY_CLIENT_ID: client.clientId,
        LATCHKEY_CLIENT_SECRET: client.clientSecret,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const listening = new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout!.on('data', (chunk) => {
        stdout += chunk;
        const line = stdout.split('\n').find((text) => text.includes('"listening"'));
        if (line) resolve(JSON.parse(line).listening);
      });
      void exited.then(([code]) => reject(new Error(`the example exited with ${code}: ${stderr}`)));
      setTimeout(() => reject(new Error(`the example did not listen within ${STARTUP_MS} ms: ${stderr}`)), STARTUP_MS);
    });
    try {
      return new ExampleService(child, await listening, exited);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** GET or POST /agents with `authorization`. */
  async agents(method: 'GET' | 'POST', authorization?: string) {
    const response = await fetch(`${this.base}/agents`, {
      method,
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      ...(method === 'POST' ? { body: JSON.stringify({ name: 'scout' }) } : {}),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  /**
   * SIGTERM, and the exit code: the service closes its server and the verifier, and must then
   * exit by itself (no timer or connection left), well before the kill that follows STOP_MS.
   */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_MS);
    const [code, signal] = await this.exited;
    clearTimeout(timer);
    if (signal) throw new Error(`the example did not exit by itself after SIGTERM (${signal})`);
    return code;
  }
}

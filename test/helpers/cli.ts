import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

// The CLI tests run the built command (`npm test` builds before vitest), as an operator would.
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const RUN_TIMEOUT_MS = 30_000;
const STARTUP_TIMEOUT_MS = 15_000;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: nothing from the test process (DATABASE_URL, LATCHKEY_*) leaks in. */
export function cliEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...extra };
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv, stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { env, stdio: [stdin, 'pipe', 'pipe'] });
}

/**
 * Runs one command to completion (killed, and failed, if it takes longer than RUN_TIMEOUT_MS),
 * with `input` on its standard input when given.
 */
export async function run(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<RunResult> {
  const child = spawnCli(args, env, input === undefined ? 'ignore' : 'pipe');
  child.stdin?.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  if (signal) throw new Error(`latchkey ${args.join(' ')} was killed by ${signal}; stderr: ${stderr}`);
  return { code, stdout, stderr };
}

/**
 * Runs one command at a terminal: util-linux `script` gives it a pseudo-terminal as standard input
 * and output. Once it shows `prompt`, `typed` is typed and Enter pressed. Returns all the terminal
 * showed (both streams, with the pty's CRLF line endings).
 */
export async function runAtTerminal(
  args: string[],
  env: NodeJS.ProcessEnv,
  typed: string,
  prompt = 'Password: ',
): Promise<{ code: number | null; shown: string }> {
  const command = [process.execPath, CLI, ...args].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let shown = '';
  let typedYet = false;
  const show = (chunk: Buffer) => {
    shown += chunk;
    if (!typedYet && shown.includes(prompt)) {
      typedYet = true;
      child.stdin!.write(`${typed}\r`);
    }
  };
  child.stdout!.on('data', show);
  child.stderr!.on('data', show);
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  child.stdin!.end();
  return { code, shown };
}

export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 0);
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: any;
}

async function request(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  token?: string,
): Promise<JsonResponse> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** A running `latchkey serve`, ready once /healthz answers 200. */
export class Served {
  readonly base: string;
  stderr = '';
  private readonly exited: Promise<[number | null, NodeJS.Signals | null]>;

  private constructor(
    readonly child: ChildProcess,
    port: number,
  ) {
    this.base = `http://127.0.0.1:${port}`;
    child.stderr!.on('data', (chunk) => (this.stderr += chunk));
    child.stdout!.resume();
    this.exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  }

  static async start(dataDir: string, env: Record<string, string> = {}): Promise<Served> {
    const port = await freePort();
    const served = new Served(
      spawnCli(['serve'], cliEnv(dataDir, { PORT: String(port), HOST: '127.0.0.1', ...env })),
      port,
    );
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      if (served.child.exitCode !== null)
        throw new Error(`serve exited with ${served.child.exitCode}: ${served.stderr}`);
      const status = await fetch(`${served.base}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return served;
      if (Date.now() > deadline) {
        await served.stop('SIGKILL');
        throw new Error(`serve did not answer /healthz within ${STARTUP_TIMEOUT_MS} ms: ${served.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Sends `signal` and waits (bounded) for the exit; returns the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    const [code] = await this.exited;
    clearTimeout(timer);
    return code;
  }

  get(path: string, token?: string): Promise<JsonResponse> {
    return request(this.base, 'GET', path, undefined, token);
  }

  post(path: string, body?: unknown, token?: string): Promise<JsonResponse> {
    return request(this.base, 'POST', path, body, token);
  }
}

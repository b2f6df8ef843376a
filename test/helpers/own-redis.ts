import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection } from 'node:net';

const WAIT_MS = 10_000;

/** Resolves when redis answers PING on `port`, polling until a deadline. */
async function waitForRedis(port: number): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const answered = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.setTimeout(500, () => socket.destroy());
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
      socket.once('close', () => resolve(false));
    });
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`redis on port ${port} did not come up within ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A redis-server of a test's own (no persistence), on `port`, that the test may kill and restart. */
export class OwnRedis {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts an empty redis-server with `extraArgs` (e.g. `--maxmemory 64mb`), waiting until it answers. */
  async start(extraArgs: string[] = []): Promise<void> {
    const args = ['--port', String(this.port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', ...extraArgs];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    await waitForRedis(this.port);
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}

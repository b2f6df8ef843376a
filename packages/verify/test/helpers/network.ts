import { once } from 'node:events';
import { createServer, type Server, type Socket, connect } from 'node:net';

export interface FetchCall {
  url: string;
  method: string;
  headers: Headers;
}

/**
 * A fetch that records every request it sends (the verifier's network calls), optionally sending
 * each to the URL `route` gives for it instead, as a proxy would.
 */
export function recordingFetch(route: (url: string) => string = (url) => url) {
  const calls: FetchCall[] = [];
  const recorded: typeof fetch = (input, init) => {
    const original = input instanceof Request ? input.url : String(input);
    const url = route(original);
    const headers = new Headers(init?.headers);
    calls.push({ url: original, method: init?.method ?? 'GET', headers });
    return fetch(url, init);
  };
  return {
    fetch: recorded,
    calls,
    /** How many requests went to a URL ending in `path` (a path, without the origin). */
    count: (path: string) => calls.filter((call) => new URL(call.url).pathname === path).length,
  };
}

/**
 * A TCP relay on loopback in front of a server, that a test can freeze (bytes stop flowing both
 * ways, connections stay open: a server that stops answering), cut (every connection dropped)
 * or close to new connections.
 */
export class Relay {
  private readonly sockets = new Set<Socket>();
  private frozen = false;
  private held: [Socket, Buffer][] = [];
  private refusing = false;
  private readonly server: Server;

  private constructor(private readonly targetPort: number) {
    this.server = createServer((client) => this.relay(client));
  }

  static async start(targetPort: number): Promise<Relay> {
    const relay = new Relay(targetPort);
    relay.server.listen(0, '127.0.0.1');
    await once(relay.server, 'listening');
    return relay;
  }

  get origin(): string {
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Stops every byte (both ways) until `thaw`; new connections are accepted and then held too. */
  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const [socket, chunk] of this.held) if (!socket.destroyed) socket.write(chunk);
    this.held = [];
  }

  /** Drops every open connection; with `refuse`, new ones are dropped at once until `accept`. */
  cut({ refuse = false } = {}): void {
    this.refusing = refuse;
    for (const socket of this.sockets) socket.destroy();
  }

  accept(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    this.server.close();
    await once(this.server, 'close');
  }

  private relay(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    for (const [socket, peer] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(socket);
      socket.on('data', (chunk: Buffer) => {
        if (this.frozen) this.held.push([peer, chunk]);
        else peer.write(chunk);
      });
      socket.on('close', () => {
        this.sockets.delete(socket);
        peer.destroy();
      });
      socket.on('error', () => socket.destroy());
    }
  }
}

import { Redis } from 'ioredis';
import type { RevocationSignal } from '../revocation-signal.js';

/** The pub/sub channel of one environment's feed (channels are not keys: no keyPrefix applies). */
export function revocationChannel(env: string): string {
  return `latchkey:${env}:revocations`;
}

/**
 * Redis pub/sub between instances. Announcements are published on the shared client and poke this
 * process at once; other instances' come in on a subscriber connection of their own (a subscribed
 * connection can run no other command), opened only once someone listens, so CLI commands never
 * open one. A publish lost while Redis is away is made up by the feed's periodic read.
 */
export function createRedisRevocationSignal(url: string, publisher: Redis, env: string): RevocationSignal {
  const channel = revocationChannel(env);
  const listeners: (() => void)[] = [];
  let subscriber: Redis | undefined;
  const poke = () => {
    for (const listener of listeners) listener();
  };

  function listen(): Redis {
    const connection = new Redis(url, { retryStrategy: (attempt) => Math.min(attempt * 100, 2000) });
    // Failures surface as missed pokes, which the periodic read makes up; the kv client logs outages.
    connection.on('error', () => {});
    connection.on('message', poke);
    // ioredis subscribes again on every reconnect; what was announced meanwhile was missed.
    connection.on('ready', poke);
    void connection.subscribe(channel).catch(() => {});
    return connection;
  }

  return {
    announce() {
      poke();
      if (publisher.status === 'ready') void publisher.publish(channel, '').catch(() => {});
    },
    onPoke(listener) {
      listeners.push(listener);
      subscriber ??= listen();
    },
    async close() {
      if (!subscriber || subscriber.status === 'end') return;
      await subscriber.quit().catch(() => subscriber?.disconnect());
    },
  };
}

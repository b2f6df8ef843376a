import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { SigningKeyStore, StoredSigningKey } from '../../store/signing-key-store.js';
import type { Clock } from '../clock.js';
import { randomId } from '../ids.js';
import type { SecretBox } from './secret-box.js';

/** Pinned signing algorithm: the one allowed when verifying, so a token cannot pick its own. */
export const SIGNING_ALG = 'EdDSA';

export interface PublicJwk {
  kty: string;
  crv?: string;
  x?: string;
  kid: string;
  alg: string;
  use: 'sig';
}

interface LoadedKey {
  kid: string;
  generation: number;
  publicKey: KeyObject;
  privateKey: KeyObject;
  jwk: PublicJwk;
}

// An unknown kid triggers a reload (another instance or `latchkey keys rotate` added a key), but
// at most this often, so garbage kids cannot turn every request into a database query.
const UNKNOWN_KID_RELOAD_MS = 1_000;
/** How often a running instance reloads the ring (`KeyRing.reload`) to pick up a rotated key for signing (ms). */
export const KEY_RING_RELOAD_MS = 60_000;

/**
 * The signing keys of one environment: generated on first start, stored encrypted, shared by every
 * instance through the database. The highest generation signs; every stored key verifies.
 */
export class KeyRing {
  private keys = new Map<string, LoadedKey>();
  private signer: LoadedKey | undefined;
  // Only reloads caused by unknown kids count against the throttle: a periodic or start-up reload a
  // moment before must not make a key rotated since then unverifiable for a second.
  private lastUnknownKidReloadAt = Number.NEGATIVE_INFINITY;
  private unknownKidReload: Promise<void> | undefined;

  constructor(
    private readonly store: SigningKeyStore,
    private readonly box: SecretBox,
    private readonly env: string,
    private readonly clock: Clock,
    /** The longest lifetime of any token this ring signs (ms): how long a replaced key must keep verifying. */
    private readonly longestTokenLifetimeMs: number,
  ) {}

  /** Loads the keys, generating the environment's first key if it has none. */
  async start(): Promise<void> {
    await this.reload();
    if (!this.signer) {
      // Two instances starting at once both try generation 1; the unique (env, generation) lets one win.
      await this.store.insertIfAbsent(this.generate(1));
      await this.reload();
    }
  }

  /**
   * Adds a key one generation above the newest. This instance signs with it at once; other
   * running instances (a server, when the CLI rotates) start signing with it at their next
   * periodic reload, and verify it on first sight through the unknown-kid reload.
   */
  async rotate(): Promise<string> {
    for (;;) {
      const stored = await this.store.listForEnv(this.env);
      const next = this.generate(Math.max(0, ...stored.map((k) => k.generation)) + 1);
      if (await this.store.insertIfAbsent(next)) {
        await this.reload();
        return next.kid;
      }
    }
  }

  signingKey(): { kid: string; privateKey: KeyObject } {
    if (!this.signer) throw new Error('KeyRing.start() was not awaited');
    return this.signer;
  }

  async publicKey(kid: string | undefined): Promise<KeyObject | undefined> {
    if (!kid) return undefined;
    const known = this.keys.get(kid);
    if (known) return known.publicKey;
    if (this.clock() - this.lastUnknownKidReloadAt >= UNKNOWN_KID_RELOAD_MS) {
      this.lastUnknownKidReloadAt = this.clock();
      this.unknownKidReload = this.reload();
    }
    // Requests arriving while that reload runs wait for it instead of being refused.
    await this.unknownKidReload?.catch(() => {});
    return this.keys.get(kid)?.publicKey;
  }

  jwks(): { keys: PublicJwk[] } {
    return { keys: [...this.keys.values()].map((k) => k.jwk) };
  }

  /**
   * Rebuilds the ring from the database. A key stops verifying once every token it could have
   * signed has expired: its successor has existed longer than the longest token lifetime (plus one
   * periodic reload, during which other instances may still have signed with it). So rotating is a
   * remedy for a leaked key, after at most that long.
   */
  async reload(): Promise<void> {
    const stored = await this.store.listForEnv(this.env);
    const now = this.clock();
    const keys = new Map<string, LoadedKey>();
    stored.forEach((row, index) => {
      const successor = stored[index + 1];
      if (successor && successor.createdAt + KEY_RING_RELOAD_MS + this.longestTokenLifetimeMs < now) return;
      keys.set(row.kid, this.keys.get(row.kid) ?? this.load(row));
    });
    this.keys = keys;
    const newest = stored.at(-1);
    this.signer = newest ? keys.get(newest.kid) : undefined;
  }

  private load(row: StoredSigningKey): LoadedKey {
    const privateKey = createPrivateKey(this.box.open(row.privateKeyEnc, 'signing-key'));
    const publicKey = createPublicKey(privateKey);
    const jwk = { ...(JSON.parse(row.publicJwk) as object), kid: row.kid, alg: row.alg, use: 'sig' } as PublicJwk;
    return { kid: row.kid, generation: row.generation, publicKey, privateKey, jwk };
  }

  private generate(generation: number): StoredSigningKey {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return {
      kid: randomId(this.env),
      env: this.env,
      generation,
      alg: SIGNING_ALG,
      privateKeyEnc: this.box.seal(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'signing-key'),
      publicJwk: JSON.stringify(publicKey.export({ format: 'jwk' })),
      createdAt: this.clock(),
    };
  }
}

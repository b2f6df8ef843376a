import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

// A software authenticator: real ES256 keys, real CBOR attestation objects (`fmt: none`) and
// assertions, built here byte by byte (WebAuthn Level 3, sections 6.1 and 6.5), so the server's
// verification library checks exactly what a browser would hand it.

type Cbor = number | string | Uint8Array | Cbor[] | Map<number | string, Cbor> | { [key: string]: Cbor };

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(length, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(length, 1);
  return b;
}

/** The subset of CBOR (RFC 8949) that attestation objects and COSE keys use, in shortest form. */
export function encodeCbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(encodeCbor)]);
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [encodeCbor(k), encodeCbor(v)])]);
}

const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

interface StoredCredential {
  id: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
  rpId: string;
  userHandle: string;
  counter: number;
}

export interface CeremonyOverrides {
  /** The page's origin, as the browser would put it in clientDataJSON. */
  origin?: string;
  /** The RP ID hashed into authenticatorData. */
  rpId?: string;
  /** Whether the user was verified (PIN, biometrics). Default: the authenticator's setting. */
  userVerified?: boolean;
  /** Sign another challenge than the options'. */
  challenge?: string;
  /** The signature counter to report (default: one more than last time, or 0 without a counter). */
  counter?: number;
  /** Which of this authenticator's credentials answers (default: the first the options allow). */
  credentialId?: string;
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function coseKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return encodeCbor(
    new Map<number, Cbor>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
}

function authenticatorData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter);
  return Buffer.concat([
    createHash('sha256').update(rpId).digest(),
    Buffer.from([flags]),
    count,
    ...(attested ? [attested] : []),
  ]);
}

function clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}

export class SoftAuthenticator {
  readonly credentials: StoredCredential[] = [];

  constructor(
    private readonly settings: {
      origin: string;
      /** Verifies its user (a platform authenticator); false: presence only (a plain security key). */
      userVerification?: boolean;
      /** Keeps a signature counter; false: always 0, as synced passkeys do. */
      counts?: boolean;
      /** A synced passkey: backup eligible and backed up. */
      synced?: boolean;
    },
  ) {}

  private flags(userVerified: boolean | undefined): number {
    const uv = userVerified ?? this.settings.userVerification ?? true;
    const backup = this.settings.synced ? FLAG.BE | FLAG.BS : 0;
    return FLAG.UP | (uv ? FLAG.UV : 0) | backup;
  }

  /** navigator.credentials.create, as JSON (RegistrationResponseJSON). */
  register(options: any, overrides: CeremonyOverrides = {}) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = randomBytes(16);
    const rpId = overrides.rpId ?? options.rp.id;
    this.credentials.push({ id, privateKey, publicKey, rpId, userHandle: options.user.id, counter: 0 });
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, id, coseKey(publicKey)]);
    const authData = authenticatorData(rpId, this.flags(overrides.userVerified) | FLAG.AT, 0, attested);
    const attestationObject = encodeCbor({ fmt: 'none', attStmt: {}, authData });
    const data = clientData(
      'webauthn.create',
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.settings.origin,
    );
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(data),
        attestationObject: b64url(attestationObject),
        transports: ['internal', 'hybrid'],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** navigator.credentials.get, as JSON (AuthenticationResponseJSON). */
  authenticate(options: any, overrides: CeremonyOverrides = {}) {
    const allowed: string[] = (options.allowCredentials ?? []).map((c: { id: string }) => c.id);
    const credential = this.credentials.find((c) =>
      overrides.credentialId !== undefined
        ? b64url(c.id) === overrides.credentialId
        : allowed.length === 0 || allowed.includes(b64url(c.id)),
    );
    if (!credential) throw new Error('the authenticator holds no credential these options allow');
    const counter = overrides.counter ?? (this.settings.counts === false ? 0 : credential.counter + 1);
    credential.counter = counter;
    const authData = authenticatorData(overrides.rpId ?? credential.rpId, this.flags(overrides.userVerified), counter);
    const data = clientData(
      'webauthn.get',
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.settings.origin,
    );
    const signature = sign(
      'sha256',
      Buffer.concat([authData, createHash('sha256').update(data).digest()]),
      credential.privateKey,
    );
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(data),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** Another authenticator holding copies of this one's keys and counters: a clone. */
  clone(): SoftAuthenticator {
    const copy = new SoftAuthenticator(this.settings);
    copy.credentials.push(...this.credentials.map((c) => ({ ...c })));
    return copy;
  }
}

// What a JWT signature costs on this machine, per algorithm, through jose (as the server uses it),
// next to what the server's verified-token cache costs on a hit (a SHA-256 of the token plus a
// Map lookup). This is the measurement behind EdDSA + the cache (ARCHITECTURE.md, "Tokens").
import { generateKeyPairSync } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { sha256Hex } from '../dist/core/index.js';

const KEY_OPTIONS = {
  EdDSA: ['ed25519', {}],
  ES256: ['ec', { namedCurve: 'P-256' }],
  RS256: ['rsa', { modulusLength: 2048 }],
};
// Every loop stops at whichever comes first: the time budget or this many operations.
const MAX_OPS = 1_000_000;

const CLAIMS = {
  sub: 'user_0123456789abcdef01234567',
  sid: 'sess_0123456789abcdef01234567',
  role: 'USER',
  plan: 'STARTER',
};

function signer(alg, privateKey) {
  return () =>
    new SignJWT({ ...CLAIMS, jti: 'bench-jti' })
      .setProtectedHeader({ alg, kid: 'bench', typ: 'at+jwt' })
      .setIssuer('latchkey:bench')
      .setAudience('latchkey:bench:api')
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(privateKey);
}

/** Calls `op` back to back for about `seconds`; returns operations per second. */
async function opsPerSecond(op, seconds) {
  for (let i = 0; i < 50; i++) await op(); // warm-up
  const budgetNs = BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  let ops = 0;
  let elapsed = 0n;
  while (ops < MAX_OPS && elapsed < budgetNs) {
    await op();
    ops++;
    if (ops % 16 === 0) elapsed = process.hrtime.bigint() - start;
  }
  elapsed = process.hrtime.bigint() - start;
  return ops / (Number(elapsed) / 1e9);
}

/** `{ alg: { signPerSec, verifyPerSec, tokenBytes } }` for each algorithm, plus the cache hit rate. */
export async function measureJwtAlgorithms(secondsEach = 1) {
  const results = {};
  for (const [alg, [type, options]] of Object.entries(KEY_OPTIONS)) {
    const { privateKey, publicKey } = generateKeyPairSync(type, options);
    const sign = signer(alg, privateKey);
    const token = await sign();
    const verifyOptions = {
      algorithms: [alg],
      issuer: 'latchkey:bench',
      audience: 'latchkey:bench:api',
      typ: 'at+jwt',
    };
    results[alg] = {
      signPerSec: await opsPerSecond(sign, secondsEach),
      verifyPerSec: await opsPerSecond(() => jwtVerify(token, publicKey, verifyOptions), secondsEach),
      tokenBytes: token.length,
    };
  }
  // A cache hit, as TokenService.verifyAccess does it: hash the token, look the hash up.
  const token = await signer('EdDSA', generateKeyPairSync('ed25519').privateKey)();
  const cache = new Map([[sha256Hex(token), { exp: Infinity }]]);
  const cacheHitPerSec = await opsPerSecond(async () => {
    if (!cache.get(sha256Hex(token))) throw new Error('cache miss');
  }, secondsEach / 2);
  return { algorithms: results, cacheHitPerSec };
}

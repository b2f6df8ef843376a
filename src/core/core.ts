import type { Config } from '../config/index.js';
import type { Limiter } from '../store/limiter.js';
import type { Stores } from '../store/stores.js';
import { Audit } from './audit.js';
import type { Clock } from './clock.js';
import { CredentialCache } from './credentials/credential-cache.js';
import { Denylist } from './revocation/denylist.js';
import { DeviceCookies } from './limits/device-cookies.js';
import { LoginLimits } from './limits/login-limits.js';
import { HashAdmission } from './passwords/hash-admission.js';
import type { PasswordHasher } from './passwords/password-hasher.js';
import { createSecretBox, type SecretBox } from './keys/secret-box.js';
import { createRelyingParty, type RelyingParty } from './passkeys/relying-party.js';
import { KeyRing } from './keys/signing-keys.js';
import { TokenService } from './keys/tokens.js';
import { type Mailer, NO_MAIL } from './email/mailer.js';

/** A 2FA pending token lives this long (seconds). */
export const PENDING_TOKEN_TTL_SECONDS = 300;

/** Everything the core functions work with, built once per process. */
export interface Core {
  config: Readonly<Config>;
  clock: Clock;
  stores: Stores;
  box: SecretBox;
  keys: KeyRing;
  tokens: TokenService;
  denylist: Denylist;
  passwords: PasswordHasher;
  /** Requests that hash a password, bounded (PASSWORD_HASH_CONCURRENCY + PASSWORD_HASH_QUEUE). */
  hashing: HashAdmission;
  limits: LoginLimits;
  devices: DeviceCookies;
  /** The WebAuthn relying party (WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME, WEBAUTHN_ORIGINS). */
  relyingParty: RelyingParty;
  /** Uploads per ingest key (UPLOAD_RATE_LIMIT per UPLOAD_RATE_LIMIT_WINDOW_SECONDS), shared by every instance. */
  uploadLimiter: Limiter;
  /** Failed OAuth client authentications per client and IP (CLIENT_AUTH_RATE_LIMIT per window). */
  clientAuthLimiter: Limiter;
  /** Mails per client IP (MAIL_RATE_LIMIT_PER_IP per MAIL_RATE_LIMIT_WINDOW_SECONDS). */
  mailIpLimiter: Limiter;
  /** Mails per address (MAIL_RATE_LIMIT_PER_ADDRESS per window), keyed by the address's digest. */
  mailAddressLimiter: Limiter;
  /** Sends mail (runtime/mail); sends nothing with EMAIL=off. */
  mailer: Mailer;
  audit: Audit;
  credentialCache: CredentialCache;
  close(): Promise<void>;
}

export async function createCore(options: {
  config: Readonly<Config>;
  secret: string;
  stores: Stores;
  clock: Clock;
  /** Owned by the caller, which closes it after the core. */
  passwords: PasswordHasher;
  /** Owned by the caller, which closes it after the core. Default: sends nothing. */
  mailer?: Mailer;
}): Promise<Core> {
  const { config, stores, clock, passwords } = options;
  const box = createSecretBox(options.secret);
  const longestTokenLifetimeMs =
    Math.max(config.accessTokenTtlSeconds, config.refreshTokenTtlSeconds, PENDING_TOKEN_TTL_SECONDS) * 1000;
  const keys = new KeyRing(stores.signingKeys, box, config.env, clock, longestTokenLifetimeMs);
  await keys.start();
  const tokens = new TokenService(
    keys,
    {
      issuer: config.issuer,
      audience: config.audience,
      legacyIssuer: config.legacyIssuer,
      env: config.env,
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
      pendingTokenTtlSeconds: PENDING_TOKEN_TTL_SECONDS,
    },
    clock,
  );
  const denylist = new Denylist(stores.kv, stores.revocations, clock);
  return {
    config,
    clock,
    stores,
    box,
    keys,
    tokens,
    denylist,
    passwords,
    hashing: new HashAdmission(config.passwordHashConcurrency + config.passwordHashQueue),
    limits: new LoginLimits(stores.limiters, stores.failures, config, clock),
    devices: new DeviceCookies(options.secret, config.deviceCookieTtlSeconds, clock),
    relyingParty: createRelyingParty(config, options.secret),
    uploadLimiter: stores.limiters({
      name: 'upload-key',
      points: config.uploadRateLimit,
      durationSeconds: config.uploadRateLimitWindowSeconds,
    }),
    clientAuthLimiter: stores.limiters({
      name: 'oauth-client-auth',
      points: config.clientAuthRateLimit,
      durationSeconds: config.clientAuthRateLimitWindowSeconds,
    }),
    mailIpLimiter: stores.limiters({
      name: 'mail-ip',
      points: config.mailRateLimitPerIp,
      durationSeconds: config.mailRateLimitWindowSeconds,
    }),
    mailAddressLimiter: stores.limiters({
      name: 'mail-address',
      points: config.mailRateLimitPerAddress,
      durationSeconds: config.mailRateLimitWindowSeconds,
    }),
    mailer: config.email ? (options.mailer ?? NO_MAIL) : NO_MAIL,
    audit: new Audit(stores.audit, clock),
    credentialCache: new CredentialCache(),
    close: () => stores.close(),
  };
}

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { envSchema } from './schema.js';

/** Latchkey's settings, parsed once from the environment and frozen. Units are in the names. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** How long start-up retries an unreachable PostgreSQL, in seconds; 0 tries once. */
  databaseConnectTimeoutSeconds: number;
  redisUrl: string | undefined;
  env: string;
  /** Undefined only on the embedded default, where the secret is generated into dataDir. */
  secret: string | undefined;
  publicUrl: string;
  trustProxy: boolean | string[];
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  refreshReuseGraceSeconds: number;
  recentLoginMaxAgeSeconds: number;
  flatRefreshRotation: boolean;
  lockoutMaxFailures: number;
  lockoutSeconds: number;
  lockoutMaxSeconds: number;
  lockoutBlockFailures: number;
  lockoutForgetSeconds: number;
  deviceCookieTtlSeconds: number;
  loginRateLimit: number;
  loginRateLimitWindowSeconds: number;
  loginRateLimitIpv6Prefix: number;
  credentialBrand: string;
  mfaDriftSteps: number;
  mfaLockoutMaxFailures: number;
  mfaLockoutSeconds: number;
  mfaLockoutMaxSeconds: number;
  mfaBlockFailures: number;
  mfaIssuer: string;
  /** The plans a user may be on; the first is the default for new users. */
  plans: readonly string[];
  registrationEnabled: boolean;
  passwordHashConcurrency: number;
  bodyLimitBytes: number;
  /** Largest accepted audio file on /api/ingest/upload, in bytes. Default 104857600 (100 MB). */
  uploadMaxBytes: number;
  /** Audio bytes one user may keep stored, in bytes. Default 1073741824 (1 GiB). */
  storageQuotaBytes: number;
  /** Uploads per ingest key per uploadRateLimitWindowSeconds. Default 60. */
  uploadRateLimit: number;
  /** Default 60. */
  uploadRateLimitWindowSeconds: number;
  /** Agents one user may own. Default 1000. */
  agentsMaxPerUser: number;
  requestTimeoutSeconds: number;
  shutdownTimeoutSeconds: number;
  logLevel: string;
}

/** A bad environment value: the message is one line naming the variable and what it expects. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const KNOWN_PREFIXED = new Set(Object.keys(envSchema.shape).filter((k) => k.startsWith('LATCHKEY_')));

/** The issuer a token of `env` carries; parsed back to name the environment of a foreign token. */
export function issuerFor(env: string): string {
  return `latchkey:${env}`;
}

function parseTrustProxy(raw: string): boolean | string[] {
  const value = raw.trim().toLowerCase();
  if (value === 'off' || value === 'false' || value === '') return false;
  if (value === 'true') return true;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.some((entry) => !/^[0-9a-f.:/]+$/.test(entry))) {
    throw new ConfigError('TRUST_PROXY: expected off, true, or comma-separated IP addresses/CIDRs');
  }
  return list;
}

/** Reads and validates the environment; throws ConfigError with a one-line message on a bad value. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Readonly<Config> {
  for (const key of Object.keys(source)) {
    if (key.startsWith('LATCHKEY_') && !KNOWN_PREFIXED.has(key)) {
      throw new ConfigError(`${key}: unknown setting (known: ${[...KNOWN_PREFIXED].join(', ')})`);
    }
  }
  const defined = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(defined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const env = parsed.data;
  const production = env.LATCHKEY_ENV === 'production';
  if (!env.LATCHKEY_SECRET && (production || env.DATABASE_URL)) {
    throw new ConfigError(
      'LATCHKEY_SECRET: required in production and with DATABASE_URL (every instance must share it); at least 32 characters',
    );
  }
  if (env.DATABASE_URL && !env.REDIS_URL) {
    throw new ConfigError('REDIS_URL: required with DATABASE_URL (the denylist and limits must be shared by every instance)');
  }
  // The embedded default keeps its kv store in DATA_DIR; a Redis beside one SQLite file would
  // only add a way to fail, so it is refused rather than half used.
  if (env.REDIS_URL && !env.DATABASE_URL) {
    throw new ConfigError('REDIS_URL: only used together with DATABASE_URL (PostgreSQL); set DATABASE_URL too, or unset REDIS_URL to keep everything in DATA_DIR');
  }
  const publicUrl = (env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`).replace(/\/+$/, '');
  const issuer = issuerFor(env.LATCHKEY_ENV);
  return Object.freeze({
    port: env.PORT,
    host: env.HOST,
    dataDir: resolve(env.DATA_DIR),
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    databaseConnectTimeoutSeconds: env.DATABASE_CONNECT_TIMEOUT_SECONDS,
    redisUrl: env.REDIS_URL,
    env: env.LATCHKEY_ENV,
    secret: env.LATCHKEY_SECRET,
    publicUrl,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    issuer,
    audience: `${issuer}:api`,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
    recentLoginMaxAgeSeconds: env.RECENT_LOGIN_MAX_AGE_SECONDS,
    flatRefreshRotation: env.FLAT_REFRESH_ROTATION,
    lockoutMaxFailures: env.LOCKOUT_MAX_FAILURES,
    lockoutSeconds: env.LOCKOUT_SECONDS,
    lockoutMaxSeconds: env.LOCKOUT_MAX_SECONDS,
    lockoutBlockFailures: env.LOCKOUT_BLOCK_FAILURES,
    lockoutForgetSeconds: env.LOCKOUT_FORGET_SECONDS,
    deviceCookieTtlSeconds: env.DEVICE_COOKIE_TTL_SECONDS,
    loginRateLimit: env.LOGIN_RATE_LIMIT,
    loginRateLimitWindowSeconds: env.LOGIN_RATE_LIMIT_WINDOW_SECONDS,
    loginRateLimitIpv6Prefix: env.LOGIN_RATE_LIMIT_IPV6_PREFIX,
    credentialBrand: env.CREDENTIAL_BRAND,
    mfaDriftSteps: env.MFA_DRIFT_STEPS,
    mfaLockoutMaxFailures: env.MFA_LOCKOUT_MAX_FAILURES,
    mfaLockoutSeconds: env.MFA_LOCKOUT_SECONDS,
    mfaLockoutMaxSeconds: env.MFA_LOCKOUT_MAX_SECONDS,
    mfaBlockFailures: env.MFA_BLOCK_FAILURES,
    mfaIssuer: env.MFA_ISSUER,
    plans: Object.freeze([...new Set(env.PLANS)]),
    registrationEnabled: env.REGISTRATION_ENABLED ?? !production,
    passwordHashConcurrency: env.PASSWORD_HASH_CONCURRENCY ?? Math.max(1, Math.floor(availableParallelism() / 2)),
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    uploadMaxBytes: env.UPLOAD_MAX_BYTES,
    storageQuotaBytes: env.STORAGE_QUOTA_BYTES,
    uploadRateLimit: env.UPLOAD_RATE_LIMIT,
    uploadRateLimitWindowSeconds: env.UPLOAD_RATE_LIMIT_WINDOW_SECONDS,
    agentsMaxPerUser: env.AGENTS_MAX_PER_USER,
    requestTimeoutSeconds: env.REQUEST_TIMEOUT_SECONDS,
    shutdownTimeoutSeconds: env.SHUTDOWN_TIMEOUT_SECONDS,
    logLevel: env.LOG_LEVEL,
  });
}

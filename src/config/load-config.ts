import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { originOutsideRpId, parseOrigins } from './relying-party.js';
import { envSchema, type Env } from './schema.js';

/** PORT -> port, ACCESS_TOKEN_TTL_SECONDS -> accessTokenTtlSeconds, LATCHKEY_ENV -> env. */
type FieldName<K extends string> = K extends `LATCHKEY_${infer Rest}` ? Camel<Rest> : Camel<K>;
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Lowercase<Head>}${Pascal<Tail>}`
  : Lowercase<S>;
type Pascal<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Capitalize<Lowercase<Head>>}${Pascal<Tail>}`
  : Capitalize<Lowercase<S>>;

/** The same transform at run time; the type above is what makes `Config` follow the schema. */
function fieldName<K extends string>(variable: K): FieldName<K> {
  return variable
    .replace(/^LATCHKEY_/, '')
    .toLowerCase()
    .replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase()) as FieldName<K>;
}

/**
 * The variables whose field is computed rather than copied: from several variables, from the
 * machine, or parsed further than the schema does.
 */
const DERIVED = [
  'DATA_DIR',
  'PUBLIC_URL',
  'TRUST_PROXY',
  'PLANS',
  'REGISTRATION_ENABLED',
  'PASSWORD_HASH_CONCURRENCY',
  'WEBAUTHN_RP_ID',
  'WEBAUTHN_RP_NAME',
  'WEBAUTHN_ORIGINS',
  'PASSWORD_HASH_QUEUE',
  'EMAIL_VERIFICATION',
  'MAIL_FROM',
  'SECURITY_NOTICES',
] as const satisfies readonly (keyof Env)[];
type DerivedVariable = (typeof DERIVED)[number];
type CopiedVariable = Exclude<keyof Env, DerivedVariable>;
const COPIED = Object.keys(envSchema.shape).filter(
  (variable): variable is CopiedVariable => !(DERIVED as readonly string[]).includes(variable),
);

interface DerivedFields {
  /** DATA_DIR, resolved against the working directory at start. */
  dataDir: string;
  /** PUBLIC_URL without a trailing slash; default http://HOST:PORT. */
  publicUrl: string;
  /** TRUST_PROXY: false (off), true (any proxy), or the trusted addresses and CIDRs. */
  trustProxy: boolean | string[];
  /** PUBLIC_URL, the `iss` of every token and the issuer of the RFC 8414 metadata. */
  issuer: string;
  /** `<PUBLIC_URL>/api`, the `aud` of every access token (the resource of RFC 9728 metadata). */
  audience: string;
  /** `latchkey:<LATCHKEY_ENV>`, the `iss` of tokens signed before the issuer was a URL: still accepted until they expire. */
  legacyIssuer: string;
  /** The plans a user may be on, without repeats; the first is the default for new users. */
  plans: readonly string[];
  /** REGISTRATION_ENABLED; default true, except when LATCHKEY_ENV=production. */
  registrationEnabled: boolean;
  /** PASSWORD_HASH_CONCURRENCY; default half the CPU cores, at least 1. */
  passwordHashConcurrency: number;
  /** WEBAUTHN_RP_ID; default the host of PUBLIC_URL. */
  webauthnRpId: string;
  /** WEBAUTHN_RP_NAME; default MFA_ISSUER. */
  webauthnRpName: string;
  /** WEBAUTHN_ORIGINS; default the origin of PUBLIC_URL. */
  webauthnOrigins: readonly string[];
  /** PASSWORD_HASH_QUEUE; default 4 per CPU core. */
  passwordHashQueue: number;
  /** EMAIL_VERIFICATION; always off with EMAIL=off. */
  emailVerification: 'off' | 'optional' | 'required';
  /** MAIL_FROM; default `PRODUCT_NAME <no-reply@host of PUBLIC_URL>`. */
  mailFrom: string;
  /** SECURITY_NOTICES, resolved: the notices that are mailed. */
  securityNotices: readonly SecurityNotice[];
}

/** The security notices, each switchable through SECURITY_NOTICES. */
export const SECURITY_NOTICES = ['password', 'email', 'two-factor', 'credentials', 'recovery-codes'] as const;
export type SecurityNotice = (typeof SECURITY_NOTICES)[number];

function resolveNotices(names: readonly string[]): readonly SecurityNotice[] {
  if (names.includes('none')) {
    if (names.length > 1) throw new ConfigError('SECURITY_NOTICES: none cannot be combined with other notices');
    return [];
  }
  if (names.includes('all')) return SECURITY_NOTICES;
  return SECURITY_NOTICES.filter((notice) => names.includes(notice));
}

/**
 * Latchkey's settings, parsed once from the environment and frozen: each schema variable under
 * its camel-case name (units and defaults are documented in schema.ts), plus the derived fields.
 * `databaseUrl`, `redisUrl` and `secret` are undefined when unset (the embedded default).
 */
export type Config = { [K in CopiedVariable as FieldName<K>]: Env[K] } & DerivedFields;

/** A bad environment value: the message is one line naming the variable and what it expects. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const KNOWN_PREFIXED = new Set(Object.keys(envSchema.shape).filter((k) => k.startsWith('LATCHKEY_')));

/** The issuer tokens of `env` carried before it was PUBLIC_URL; parsed back to name a foreign token's environment. */
export function issuerFor(env: string): string {
  return `latchkey:${env}`;
}

function parseTrustProxy(raw: string): boolean | string[] {
  const value = raw.trim().toLowerCase();
  if (value === 'off' || value === 'false' || value === '') return false;
  if (value === 'true') return true;
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
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
    throw new ConfigError(
      'REDIS_URL: required with DATABASE_URL (the denylist and limits must be shared by every instance)',
    );
  }
  // The embedded default keeps its kv store in DATA_DIR; a Redis beside one SQLite file would
  // only add a way to fail, so it is refused rather than half used.
  if (env.REDIS_URL && !env.DATABASE_URL) {
    throw new ConfigError(
      'REDIS_URL: only used together with DATABASE_URL (PostgreSQL); set DATABASE_URL too, or unset REDIS_URL to keep everything in DATA_DIR',
    );
  }
  const publicUrl = (env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`).replace(/\/+$/, '');
  const origins = parseOrigins(env.WEBAUTHN_ORIGINS ?? new URL(publicUrl).origin);
  if (!Array.isArray(origins)) throw new ConfigError(`WEBAUTHN_ORIGINS: ${origins.error}`);
  const rpId = env.WEBAUTHN_RP_ID ?? new URL(publicUrl).hostname;
  const outside = originOutsideRpId(rpId, origins);
  if (outside !== null) {
    throw new ConfigError(
      `WEBAUTHN_RP_ID: ${rpId} is not ${outside}'s host nor a registrable parent domain of it; set it to a domain every origin in WEBAUTHN_ORIGINS shares`,
    );
  }
  const derived: DerivedFields = {
    dataDir: resolve(env.DATA_DIR),
    publicUrl,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    issuer: publicUrl,
    audience: `${publicUrl}/api`,
    legacyIssuer: issuerFor(env.LATCHKEY_ENV),
    plans: Object.freeze([...new Set(env.PLANS)]),
    registrationEnabled: env.REGISTRATION_ENABLED ?? !production,
    passwordHashConcurrency: env.PASSWORD_HASH_CONCURRENCY ?? Math.max(1, Math.floor(availableParallelism() / 2)),
    webauthnRpId: rpId,
    webauthnRpName: env.WEBAUTHN_RP_NAME ?? env.MFA_ISSUER,
    webauthnOrigins: Object.freeze(origins),
    passwordHashQueue: env.PASSWORD_HASH_QUEUE ?? 4 * availableParallelism(),
    emailVerification: env.EMAIL ? env.EMAIL_VERIFICATION : 'off',
    mailFrom: env.MAIL_FROM ?? `${env.PRODUCT_NAME} <no-reply@${new URL(publicUrl).hostname}>`,
    securityNotices: Object.freeze(resolveNotices(env.SECURITY_NOTICES)),
  };
  const copied = Object.fromEntries(COPIED.map((variable) => [fieldName(variable), env[variable]]));
  return Object.freeze({ ...copied, ...derived } as Config);
}

import { z } from 'zod';

// Decimal digits only: Number() would also read 0x1F90 or 1e3 as a port.
const port = z
  .string()
  .regex(/^[0-9]{1,5}$/, 'a decimal port number (0 to 65535)')
  .transform(Number)
  .pipe(z.number().max(65535, 'a decimal port number (0 to 65535)'));

/**
 * A connection URL with one of `schemes`, parsed as its client will parse it. The messages never
 * quote the value: it may carry a password.
 */
function connectionUrl(schemes: string[], example: string) {
  const expected = `a ${schemes.map((s) => `${s}//`).join(' or ')} URL such as ${example}`;
  return z.string().superRefine((value, ctx) => {
    if (!schemes.some((scheme) => value.startsWith(`${scheme}//`)))
      return void ctx.addIssue({ code: 'custom', message: `expected ${expected}` });
    if (/\s/.test(value))
      return void ctx.addIssue({
        code: 'custom',
        message: `contains white space; percent-encode it (a space is %20), expected ${expected}`,
      });
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return void ctx.addIssue({
        code: 'custom',
        message: `not a valid URL (check the host, a numeric port, and percent-encode @ : / in the password), expected ${expected}`,
      });
    }
    if (!url.hostname) ctx.addIssue({ code: 'custom', message: `names no host, expected ${expected}` });
  });
}

/** A comma-separated list of plan names, upper-cased. */
const planList = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((name) => name.trim().toUpperCase())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.string().regex(/^[A-Z][A-Z0-9_-]{0,31}$/, 'plan names of letters, digits, _ and - (at most 32)'))
      .min(1, 'at least one plan name'),
  );
const positiveInt = z.coerce.number().int().positive();
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/**
 * The environment Latchkey reads, one entry per variable. Unknown LATCHKEY_* variables are
 * rejected by the loader so that a typo does not silently fall back to a default.
 */
export const envSchema = z
  .object({
    /** TCP port to listen on. Default 3000. */
    PORT: port.default(3000),
    /** Interface to bind. Default 127.0.0.1 (loopback only). */
    HOST: z.string().min(1).default('127.0.0.1'),
    /** Folder for the embedded database, its generated secret and uploads. Default ./data. */
    DATA_DIR: z.string().min(1).default('./data'),
    /** PostgreSQL connection string; when unset, SQLite in DATA_DIR is used. */
    DATABASE_URL: connectionUrl(
      ['postgres:', 'postgresql:'],
      'postgresql://user:password@db.example:5432/latchkey',
    ).optional(),
    /** How long start-up keeps retrying an unreachable PostgreSQL, in seconds (0: try once). Default 30. */
    DATABASE_CONNECT_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
    /** Maximum PostgreSQL connections per instance. Default 10. */
    DATABASE_POOL_SIZE: positiveInt.default(10),
    /** Redis URL; when unset, the kv store lives in the embedded database. */
    REDIS_URL: connectionUrl(['redis:', 'rediss:'], 'redis://redis.example:6379/0').optional(),
    /** Deployment name (development, staging, production, ...): scopes signing keys, iss and aud. */
    LATCHKEY_ENV: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lowercase letters, digits and dashes')
      .default('development'),
    /** Master key (at least 32 characters) that encrypts signing keys and TOTP secrets at rest. */
    LATCHKEY_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    /** The server's public base URL: the token issuer (RFC 8414, RFC 9068), links. Every instance of one environment must share it. Default http://HOST:PORT. */
    PUBLIC_URL: z
      .string()
      .regex(
        /^https?:\/\/[^\s?#]+$/,
        'an http:// or https:// URL without query or fragment, such as https://auth.example.com',
      )
      .pipe(z.string().url('an http:// or https:// URL without query or fragment, such as https://auth.example.com'))
      .optional(),
    /** Proxies whose X-Forwarded-For is trusted: off, true (any), or comma-separated IPs/CIDRs. Default off. */
    TRUST_PROXY: z.string().default('off'),
    /** Access token lifetime in seconds. Default 900 (15 minutes). */
    ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(900),
    /** Refresh token lifetime in seconds. Default 604800 (7 days). */
    REFRESH_TOKEN_TTL_SECONDS: positiveInt.default(604800),
    /** Seconds a spent refresh token still returns its successor (concurrent requests, lost responses). Default 10. */
    REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).default(10),
    /** How old a session's login may be for actions that outlast it (new PAT or API key, 2FA setup, new recovery codes), in seconds. Default 900. */
    RECENT_LOGIN_MAX_AGE_SECONDS: positiveInt.default(900),
    /** Whether /api/auth/refresh (flat surface) also rotates the refresh token. Default false, as documented. */
    FLAT_REFRESH_ROTATION: flag.default(false),
    /** Consecutive failed logins before an account locks. Default 5. */
    LOCKOUT_MAX_FAILURES: positiveInt.default(5),
    /** How long a locked account stays locked, in seconds. Default 1800 (30 minutes). */
    LOCKOUT_SECONDS: positiveInt.default(1800),
    /** Longest a doubled password lockout lasts, in seconds (never less than LOCKOUT_SECONDS). Default 86400 (24 hours). */
    LOCKOUT_MAX_SECONDS: positiveInt.default(86400),
    /** Consecutive failed logins at which the password is blocked until `latchkey user unlock` (NIST SP 800-63B 5.2.2). Default 100. */
    LOCKOUT_BLOCK_FAILURES: positiveInt.default(100),
    /** How long a failure count that has reached a lockout is kept after its last failure, in seconds (a block is kept until unlocked). Default 31536000 (365 days). */
    LOCKOUT_FORGET_SECONDS: positiveInt.default(31536000),
    /** How long a failure count below the first lockout is kept after its last failure, in seconds; bounds what unknown e-mails leave behind. Default 86400 (1 day). */
    LOCKOUT_RESET_SECONDS: positiveInt.default(86400),
    /** Lifetime of the device cookie a browser gets after a successful login, in seconds. Default 31536000 (365 days). */
    DEVICE_COOKIE_TTL_SECONDS: positiveInt.default(31536000),
    /** Login attempts allowed per client IP per window. Default 10. */
    LOGIN_RATE_LIMIT: positiveInt.default(10),
    /** Login rate-limit window in seconds. Default 60. */
    LOGIN_RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(60),
    /** Bits of an IPv6 address that name one client for the IP rate limit (48 to 128). Default 64. */
    LOGIN_RATE_LIMIT_IPV6_PREFIX: z.coerce.number().int().min(48).max(128).default(64),
    /** Failed OAuth client authentications allowed per client and IP per window; beyond it /oauth/* answers 429. Default 20. */
    CLIENT_AUTH_RATE_LIMIT: positiveInt.default(20),
    /** Client-authentication rate-limit window in seconds. Default 60. */
    CLIENT_AUTH_RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(60),
    /** Seconds between heartbeats on the revocation feed (/oauth/revocations). Default 5. */
    REVOCATION_FEED_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
    /** Bearer secret (at least 32 characters) that opens GET /metrics on the main port. Default unset: no /metrics there. */
    METRICS_TOKEN: z.string().min(32, 'at least 32 characters').optional(),
    /** A port of its own serving GET /metrics without a secret, on METRICS_HOST. Default unset. */
    METRICS_PORT: port.optional(),
    /** Interface of METRICS_PORT. Default 127.0.0.1. */
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** TOTP codes accepted this many 30-second steps either side of now (clock drift). Default 1. */
    MFA_DRIFT_STEPS: z.coerce.number().int().min(0).max(10).default(1),
    /** Wrong second-factor codes before the account's 2FA step locks. Default 5. */
    MFA_LOCKOUT_MAX_FAILURES: positiveInt.default(5),
    /** How long a 2FA lockout lasts, in seconds. Default 1800 (30 minutes). */
    MFA_LOCKOUT_SECONDS: positiveInt.default(1800),
    /** Longest a doubled 2FA lockout lasts, in seconds (never less than MFA_LOCKOUT_SECONDS). Default 86400 (24 hours). */
    MFA_LOCKOUT_MAX_SECONDS: positiveInt.default(86400),
    /** Consecutive wrong second-factor codes at which 2FA is blocked until `latchkey user unlock`. Default 100. */
    MFA_BLOCK_FAILURES: positiveInt.default(100),
    /** Issuer shown in authenticator apps. Default Latchkey. */
    MFA_ISSUER: z.string().min(1).max(64).default('Latchkey'),
    /** WebAuthn relying party ID: the host of PUBLIC_URL or a registrable parent domain of it. Default: the host of PUBLIC_URL. */
    WEBAUTHN_RP_ID: z
      .string()
      .regex(/^[a-z0-9.-]{1,253}$/, 'a lowercase host name such as example.com, without scheme or port')
      .optional(),
    /** Relying party name that authenticators show beside a passkey. Default: MFA_ISSUER. */
    WEBAUTHN_RP_NAME: z.string().min(1).max(64).optional(),
    /** Origins allowed to use passkeys, comma-separated (https://app.example.com,...). Default: the origin of PUBLIC_URL. */
    WEBAUTHN_ORIGINS: z.string().optional(),
    /** Brand in credential prefixes: `<brand>_pat_`, `<brand>_live_`/`<brand>_test_`. Default latchkey. */
    CREDENTIAL_BRAND: z
      .string()
      .regex(/^[a-z][a-z0-9]{1,15}$/, '2 to 16 lowercase letters and digits')
      .default('latchkey'),
    /** Plans a user may be on, comma-separated; the first is the one sign-up gives. Default STARTER,PRO,ENTERPRISE. */
    PLANS: planList.default(['STARTER', 'PRO', 'ENTERPRISE']),
    /** Self sign-up on /auth/register. Default true, except when LATCHKEY_ENV=production. */
    REGISTRATION_ENABLED: flag.optional(),
    /** E-mail (password reset, verification, address change, notices): on or off. Default on. */
    EMAIL: z
      .enum(['on', 'off'])
      .default('on')
      .transform((v) => v === 'on'),
    /** SMTP server (`smtp://user:pass@host:587`, STARTTLS when offered; `smtps://` for TLS at once). Unset: mails go to DATA_DIR/outbox. */
    SMTP_URL: connectionUrl(['smtp:', 'smtps:'], 'smtp://user:password@mail.example:587').optional(),
    /** The From of every mail, `Name <address>` or an address. Default `PRODUCT_NAME <no-reply@PUBLIC_URL's host>`. */
    MAIL_FROM: z.string().min(3).max(254).optional(),
    /** A folder of templates (`<name>.txt`, `<name>.html`) replacing the built-in ones of the same name. */
    MAIL_TEMPLATES_DIR: z.string().min(1).optional(),
    /** The product name mails show. Default Latchkey. */
    PRODUCT_NAME: z.string().min(1).max(64).default('Latchkey'),
    /** Whether sign-in waits for a verified e-mail: off, optional or required. Default optional (off with EMAIL=off). */
    EMAIL_VERIFICATION: z.enum(['off', 'optional', 'required']).default('optional'),
    /** Lifetime of a password-reset link, in seconds. Default 1800 (30 minutes). */
    PASSWORD_RESET_TOKEN_TTL_SECONDS: positiveInt.default(1800),
    /** Lifetime of an e-mail verification link, in seconds. Default 86400 (24 hours). */
    EMAIL_VERIFICATION_TOKEN_TTL_SECONDS: positiveInt.default(86400),
    /** Lifetime of an e-mail-change confirmation link, in seconds. Default 3600 (1 hour). */
    EMAIL_CHANGE_TOKEN_TTL_SECONDS: positiveInt.default(3600),
    /** Mails one address may be sent per MAIL_RATE_LIMIT_WINDOW_SECONDS (notices excepted). Default 3. */
    MAIL_RATE_LIMIT_PER_ADDRESS: positiveInt.default(3),
    /** Mails requests from one client IP may cause per MAIL_RATE_LIMIT_WINDOW_SECONDS. Default 20. */
    MAIL_RATE_LIMIT_PER_IP: positiveInt.default(20),
    /** The mail rate-limit window, in seconds. Default 3600. */
    MAIL_RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(3600),
    /** Mails waiting to be sent, at most; past it a mail is dropped and counted. Default 1000. */
    MAIL_QUEUE_SIZE: positiveInt.default(1000),
    /** Tries per mail on temporary SMTP failures (1 s doubling, at most 5 minutes apart). Default 8. */
    MAIL_RETRY_ATTEMPTS: positiveInt.default(8),
    /** Security notices mailed, comma-separated from password, email, two-factor, credentials, recovery-codes; or all, or none. Default all. */
    SECURITY_NOTICES: z
      .string()
      .default('all')
      .transform((raw) => raw.split(',').map((name) => name.trim().toLowerCase()))
      .pipe(
        z.array(z.enum(['all', 'none', 'password', 'email', 'two-factor', 'credentials', 'recovery-codes']), {
          error: 'all, none, or comma-separated from password, email, two-factor, credentials, recovery-codes',
        }),
      ),
    /** Password hashes computed at once; the rest wait. Default: half the CPU cores, at least 1. */
    PASSWORD_HASH_CONCURRENCY: positiveInt.optional(),
    /** Requests that may wait for a password hash beyond those hashing; past it, 503 SERVER_BUSY. Default: 4 per CPU core. */
    PASSWORD_HASH_QUEUE: positiveInt.optional(),
    /** Largest accepted JSON body in bytes. Default 65536. */
    BODY_LIMIT_BYTES: positiveInt.default(65536),
    /** Largest accepted audio file on /api/ingest/upload, in bytes. Default 104857600 (100 MB). */
    UPLOAD_MAX_BYTES: positiveInt.default(104857600),
    /** Audio bytes one user may keep stored, all uploads together, in bytes. Default 1073741824 (1 GiB). */
    STORAGE_QUOTA_BYTES: positiveInt.default(1073741824),
    /** Uploads one ingest key may make per UPLOAD_RATE_LIMIT_WINDOW_SECONDS. Default 60. */
    UPLOAD_RATE_LIMIT: positiveInt.default(60),
    /** Upload rate-limit window in seconds. Default 60. */
    UPLOAD_RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(60),
    /** Agents one user may own. Default 1000. */
    AGENTS_MAX_PER_USER: positiveInt.default(1000),
    /** Longest time a client may take to send one request (headers and body), in seconds. Default 120. */
    REQUEST_TIMEOUT_SECONDS: positiveInt.default(120),
    /** How long SIGTERM waits for in-flight requests, in seconds. Default 10. */
    SHUTDOWN_TIMEOUT_SECONDS: positiveInt.default(10),
    /** pino level: fatal, error, warn, info, debug, trace or silent. Default info. */
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strip();

export type Env = z.infer<typeof envSchema>;

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../src/config/index.js';
import { envSchema } from '../src/config/schema.js';

const SECRET = 'x'.repeat(32);

// The field names the rest of the code reads; Config is derived from the schema, so renaming a
// variable there must not rename a field silently. The type check below fails on a missing or extra name.
const FIELDS = [
  'port',
  'host',
  'dataDir',
  'databaseUrl',
  'databasePoolSize',
  'databaseConnectTimeoutSeconds',
  'redisUrl',
  'env',
  'secret',
  'publicUrl',
  'trustProxy',
  'issuer',
  'audience',
  'legacyIssuer',
  'accessTokenTtlSeconds',
  'refreshTokenTtlSeconds',
  'refreshReuseGraceSeconds',
  'recentLoginMaxAgeSeconds',
  'flatRefreshRotation',
  'lockoutMaxFailures',
  'lockoutSeconds',
  'lockoutMaxSeconds',
  'lockoutBlockFailures',
  'lockoutForgetSeconds',
  'lockoutResetSeconds',
  'deviceCookieTtlSeconds',
  'loginRateLimit',
  'loginRateLimitWindowSeconds',
  'loginRateLimitIpv6Prefix',
  'clientAuthRateLimit',
  'clientAuthRateLimitWindowSeconds',
  'revocationFeedHeartbeatSeconds',
  'metricsToken',
  'metricsPort',
  'metricsHost',
  'credentialBrand',
  'mfaDriftSteps',
  'mfaLockoutMaxFailures',
  'mfaLockoutSeconds',
  'mfaLockoutMaxSeconds',
  'mfaBlockFailures',
  'mfaIssuer',
  'plans',
  'registrationEnabled',
  'passwordHashConcurrency',
  'webauthnRpId',
  'webauthnRpName',
  'webauthnOrigins',
  'passwordHashQueue',
  'email',
  'smtpUrl',
  'mailFrom',
  'mailTemplatesDir',
  'productName',
  'emailVerification',
  'passwordResetTokenTtlSeconds',
  'emailVerificationTokenTtlSeconds',
  'emailChangeTokenTtlSeconds',
  'mailRateLimitPerAddress',
  'mailRateLimitPerIp',
  'mailRateLimitWindowSeconds',
  'mailQueueSize',
  'mailRetryAttempts',
  'securityNotices',
  'bodyLimitBytes',
  'uploadMaxBytes',
  'storageQuotaBytes',
  'uploadRateLimit',
  'uploadRateLimitWindowSeconds',
  'agentsMaxPerUser',
  'requestTimeoutSeconds',
  'shutdownTimeoutSeconds',
  'logLevel',
] as const satisfies readonly (keyof Config)[];
const everyFieldListed: [Exclude<keyof Config, (typeof FIELDS)[number]>] extends [never] ? true : false = true;

function failure(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it.each(['0x1F90', '1e3', '8080.0', ' 8080', '-1', '65536'])('refuses PORT=%s: decimal digits only', (value) => {
    expect(failure({ PORT: value })).toMatch(/^PORT: a decimal port number \(0 to 65535\)$/);
  });

  it('reads a decimal PORT', () => {
    expect(loadConfig({ PORT: '8080' }).port).toBe(8080);
    expect(loadConfig({}).port).toBe(3000);
  });

  it.each([
    ['postgresql://[bad', /not a valid URL/],
    ['postgresql://latchkey:hunter22secret@db:5432x/app', /not a valid URL/],
    ['postgresql://latchkey:hunter22 secret@db/app', /white space/],
    ['postgresql://db name/app', /white space/],
    ['mysql://db/app', /expected a postgres:\/\/ or postgresql:\/\/ URL/],
  ])('refuses DATABASE_URL=%s in one line naming it, without echoing the value', (value, reason) => {
    const message = failure({ DATABASE_URL: value, REDIS_URL: 'redis://127.0.0.1:6379', LATCHKEY_SECRET: SECRET });
    expect(message).toMatch(/^DATABASE_URL: /);
    expect(message).toMatch(reason);
    expect(message).not.toContain('hunter22');
    expect(message).not.toContain('\n');
  });

  it.each(['redis://[bad', 'redis://:hunter22secret@cache:port/0', 'redis://cache :6379', 'redis://cache:99999'])(
    'refuses REDIS_URL=%s naming it, without echoing the value',
    (value) => {
      const message = failure({ DATABASE_URL: 'postgresql://db/app', REDIS_URL: value, LATCHKEY_SECRET: SECRET });
      expect(message).toMatch(/^REDIS_URL: /);
      expect(message).not.toContain('hunter22');
    },
  );

  it('refuses REDIS_URL without DATABASE_URL instead of ignoring it', () => {
    expect(failure({ REDIS_URL: 'redis://127.0.0.1:6379' })).toMatch(
      /^REDIS_URL: only used together with DATABASE_URL/,
    );
  });

  it('reads PLANS as an upper-cased list, default STARTER, PRO, ENTERPRISE', () => {
    expect(loadConfig({}).plans).toEqual(['STARTER', 'PRO', 'ENTERPRISE']);
    expect(loadConfig({ PLANS: 'free, Team ,free' }).plans).toEqual(['FREE', 'TEAM']);
    expect(failure({ PLANS: ' , ' })).toMatch(/^PLANS: /);
    expect(failure({ PLANS: 'gold plan' })).toMatch(/^PLANS: /);
  });

  it('reads SMTP_URL as an smtp:// or smtps:// URL, without quoting it back', () => {
    expect(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example:465' }).smtpUrl).toBe('smtps://u:p@mail.example:465');
    const message = failure({ SMTP_URL: 'http://u:hunter2@mail.example' });
    expect(message).toMatch(/^SMTP_URL: expected a smtp:\/\/ or smtps:\/\/ URL/);
    expect(message).not.toContain('hunter2');
  });

  it('turns e-mail verification off with EMAIL=off, and derives MAIL_FROM from PUBLIC_URL', () => {
    expect(loadConfig({}).emailVerification).toBe('optional');
    expect(loadConfig({ EMAIL: 'off', EMAIL_VERIFICATION: 'required' }).emailVerification).toBe('off');
    expect(loadConfig({ PUBLIC_URL: 'https://auth.example', PRODUCT_NAME: 'Acme' }).mailFrom).toBe(
      'Acme <no-reply@auth.example>',
    );
    expect(failure({ EMAIL: 'yes' })).toMatch(/^EMAIL: /);
  });

  it('reads SECURITY_NOTICES as all, none, or a list of notices', () => {
    expect(loadConfig({}).securityNotices).toHaveLength(5);
    expect(loadConfig({ SECURITY_NOTICES: 'none' }).securityNotices).toEqual([]);
    expect(loadConfig({ SECURITY_NOTICES: 'password, Email' }).securityNotices).toEqual(['password', 'email']);
    expect(failure({ SECURITY_NOTICES: 'password,sms' })).toMatch(/^SECURITY_NOTICES: /);
    expect(failure({ SECURITY_NOTICES: 'none,password' })).toMatch(/^SECURITY_NOTICES: none cannot/);
  });

  it('reads DATABASE_CONNECT_TIMEOUT_SECONDS, default 30', () => {
    expect(loadConfig({}).databaseConnectTimeoutSeconds).toBe(30);
    expect(loadConfig({ DATABASE_CONNECT_TIMEOUT_SECONDS: '0' }).databaseConnectTimeoutSeconds).toBe(0);
    expect(failure({ DATABASE_CONNECT_TIMEOUT_SECONDS: 'soon' })).toMatch(/^DATABASE_CONNECT_TIMEOUT_SECONDS: /);
  });

  it('gives Config exactly its known fields, every one set once the environment names every variable', () => {
    expect(everyFieldListed).toBe(true);
    const config = loadConfig({
      DATABASE_URL: 'postgresql://db/app',
      REDIS_URL: 'redis://cache:6379/0',
      LATCHKEY_SECRET: SECRET,
      PUBLIC_URL: 'https://auth.example/',
      REGISTRATION_ENABLED: 'false',
      PASSWORD_HASH_CONCURRENCY: '3',
      METRICS_TOKEN: SECRET,
      METRICS_PORT: '9464',
      PASSWORD_HASH_QUEUE: '8',
      SMTP_URL: 'smtp://mailer:pw@mail.example:587',
      MAIL_TEMPLATES_DIR: '/etc/latchkey/mail',
    });
    expect(Object.keys(config).sort()).toEqual([...FIELDS].sort());
    expect(Object.entries(config).filter(([, value]) => value === undefined)).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('copies each variable to its camel-case field, parsed by the schema', () => {
    const config = loadConfig({
      ACCESS_TOKEN_TTL_SECONDS: '60',
      LOGIN_RATE_LIMIT_IPV6_PREFIX: '56',
      FLAT_REFRESH_ROTATION: '1',
      LATCHKEY_ENV: 'staging',
      LATCHKEY_SECRET: SECRET,
    });
    expect(config.accessTokenTtlSeconds).toBe(60);
    expect(config.loginRateLimitIpv6Prefix).toBe(56);
    expect(config.flatRefreshRotation).toBe(true);
    expect(config.env).toBe('staging');
    expect(config.secret).toBe(SECRET);
    expect(config.legacyIssuer).toBe('latchkey:staging');
    expect(config.issuer).toBe('http://127.0.0.1:3000');
    expect(config.audience).toBe('http://127.0.0.1:3000/api');
    expect(config.mfaIssuer).toBe(envSchema.shape.MFA_ISSUER.parse(undefined));
  });

  it('derives the fields computed from several variables', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '8080',
      TRUST_PROXY: '10.0.0.0/8, 10.1.0.1',
      DATA_DIR: 'rel/dir',
    });
    expect(config.publicUrl).toBe('http://0.0.0.0:8080');
    expect(config.trustProxy).toEqual(['10.0.0.0/8', '10.1.0.1']);
    expect(config.dataDir).toBe(resolve('rel/dir'));
    expect(config.registrationEnabled).toBe(true);
    expect(loadConfig({ LATCHKEY_ENV: 'production', LATCHKEY_SECRET: SECRET }).registrationEnabled).toBe(false);
    expect(config.passwordHashConcurrency).toBeGreaterThanOrEqual(1);
    expect(config.passwordHashQueue).toBe(4 * availableParallelism());
  });

  it('derives the WebAuthn relying party from PUBLIC_URL and MFA_ISSUER unless set', () => {
    const derived = loadConfig({ PUBLIC_URL: 'https://auth.example.com:8443/', MFA_ISSUER: 'Acme' });
    expect(derived.webauthnRpId).toBe('auth.example.com');
    expect(derived.webauthnRpName).toBe('Acme');
    expect(derived.webauthnOrigins).toEqual(['https://auth.example.com:8443']);
    const set = loadConfig({
      PUBLIC_URL: 'https://auth.example.com',
      WEBAUTHN_RP_ID: 'example.com',
      WEBAUTHN_RP_NAME: 'Example',
      WEBAUTHN_ORIGINS: 'https://app.example.com, https://example.com/',
    });
    expect(set.webauthnRpId).toBe('example.com');
    expect(set.webauthnRpName).toBe('Example');
    expect(set.webauthnOrigins).toEqual(['https://app.example.com', 'https://example.com']);
  });

  it.each([
    ['example.org', 'https://app.example.com', 'https://app.example.com'],
    ['com', 'https://app.example.com', 'https://app.example.com'],
    ['github.io', 'https://me.github.io', 'https://me.github.io'],
    ['app.example.com', 'https://example.com', 'https://example.com'],
    ['example.com', 'https://app.example.com,https://notexample.com', 'https://notexample.com'],
  ])('refuses WEBAUTHN_RP_ID=%s for WEBAUTHN_ORIGINS=%s in one line naming the setting', (rpId, origins, bad) => {
    const message = failure({ WEBAUTHN_RP_ID: rpId, WEBAUTHN_ORIGINS: origins });
    expect(message).toBe(
      `WEBAUTHN_RP_ID: ${rpId} is not ${bad}'s host nor a registrable parent domain of it; set it to a domain every origin in WEBAUTHN_ORIGINS shares`,
    );
  });

  it('refuses WEBAUTHN_ORIGINS entries that are not origins', () => {
    expect(failure({ WEBAUTHN_ORIGINS: 'https://app.example.com/login' })).toMatch(/^WEBAUTHN_ORIGINS: not an origin/);
    expect(failure({ WEBAUTHN_ORIGINS: 'app.example.com' })).toMatch(/^WEBAUTHN_ORIGINS: not an origin/);
    expect(failure({ WEBAUTHN_ORIGINS: ' , ' })).toMatch(/^WEBAUTHN_ORIGINS: empty/);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/index.js';

const SECRET = 'x'.repeat(32);

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
    expect(failure({ REDIS_URL: 'redis://127.0.0.1:6379' })).toMatch(/^REDIS_URL: only used together with DATABASE_URL/);
  });

  it('reads PLANS as an upper-cased list, default STARTER, PRO, ENTERPRISE', () => {
    expect(loadConfig({}).plans).toEqual(['STARTER', 'PRO', 'ENTERPRISE']);
    expect(loadConfig({ PLANS: 'free, Team ,free' }).plans).toEqual(['FREE', 'TEAM']);
    expect(failure({ PLANS: ' , ' })).toMatch(/^PLANS: /);
    expect(failure({ PLANS: 'gold plan' })).toMatch(/^PLANS: /);
  });

  it('reads DATABASE_CONNECT_TIMEOUT_SECONDS, default 30', () => {
    expect(loadConfig({}).databaseConnectTimeoutSeconds).toBe(30);
    expect(loadConfig({ DATABASE_CONNECT_TIMEOUT_SECONDS: '0' }).databaseConnectTimeoutSeconds).toBe(0);
    expect(failure({ DATABASE_CONNECT_TIMEOUT_SECONDS: 'soon' })).toMatch(/^DATABASE_CONNECT_TIMEOUT_SECONDS: /);
  });
});

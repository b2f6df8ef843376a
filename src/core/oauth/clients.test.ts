import { describe, expect, it } from 'vitest';
import { AuthError } from '../errors.js';
import { adminClientActor, CLIENT_NAME_MAX_LENGTH, checkClientInput } from './clients.js';

function refusal(run: () => unknown): AuthError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return error as AuthError;
  }
  throw new Error('expected a refusal');
}

describe('checkClientInput', () => {
  it('trims the name and keeps the scopes', () => {
    expect(checkClientInput({ name: '  agents-api ', scopes: ['agents:read', 'voicelogs:read'] })).toEqual({
      name: 'agents-api',
      scopes: ['agents:read', 'voicelogs:read'],
    });
  });

  it('refuses an empty or overlong name, naming the field as the caller does', () => {
    expect(refusal(() => checkClientInput({ name: ' ', scopes: ['agents:read'] })).message).toBe('name: is required');
    const long = { name: 'n'.repeat(CLIENT_NAME_MAX_LENGTH + 1), scopes: ['agents:read'] };
    expect(refusal(() => checkClientInput(long, { name: '--name', scopes: '--scopes' })).message).toBe(
      `--name: must be at most ${CLIENT_NAME_MAX_LENGTH} characters`,
    );
    expect(checkClientInput({ ...long, name: 'n'.repeat(CLIENT_NAME_MAX_LENGTH) }).name).toHaveLength(100);
  });

  it('refuses no scope, an unknown scope and a repeated one', () => {
    for (const scopes of [[], ['agents:read', 'admin'], ['agents:read', 'agents:read']]) {
      const error = refusal(() => checkClientInput({ name: 'a', scopes }));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toMatch(/^scopes: /);
    }
    expect(refusal(() => checkClientInput({ name: 'a', scopes: ['admin'] })).message).toBe(
      'scopes: unknown scope "admin"; expected agents:read, agents:write, voicelogs:read',
    );
  });
});

describe('adminClientActor', () => {
  const ctx = { ip: '203.0.113.1', userAgent: null };

  it('lets an ADMIN act, recorded as that user', () => {
    expect(adminClientActor({ userId: 'user_a', role: 'ADMIN' }, ctx)).toEqual({ userId: 'user_a', ctx });
  });

  it('refuses any other role with FORBIDDEN', () => {
    const error = refusal(() => adminClientActor({ userId: 'user_u', role: 'USER' }, ctx));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toBe('Managing OAuth clients needs the ADMIN role');
  });
});

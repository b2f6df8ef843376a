import { randomBytes } from 'node:crypto';
import type { OAuthClient } from '../../src/store/client-store.js';
import type { Credential } from '../../src/store/credential-store.js';
import type { RefreshToken, Session } from '../../src/store/session-store.js';
import type { User } from '../../src/store/user-store.js';

const id = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

export const NOW = 1_750_000_000_000;
const DAY_MS = 86_400_000;

export function aUser(overrides: Partial<User> = {}): User {
  return {
    id: id('user'),
    email: `${id('u')}@example.com`,
    role: 'USER',
    plan: 'STARTER',
    passwordHash: `hash-${randomBytes(4).toString('hex')}`,
    createdAt: NOW,
    disabledAt: null,
    emailVerifiedAt: null,
    ...overrides,
  };
}

export function aSession(userId: string, overrides: Partial<Session> = {}): Session {
  return {
    id: id('sess'),
    userId,
    createdAt: NOW,
    lastUsedAt: NOW,
    expiresAt: NOW + DAY_MS,
    revokedAt: null,
    ip: '203.0.113.1',
    userAgent: 'contract-test',
    rotating: true,
    ...overrides,
  };
}

export function aRefreshToken(session: Session, parentHash: string | null = null): RefreshToken {
  return {
    idHash: randomBytes(32).toString('hex'),
    sessionId: session.id,
    userId: session.userId,
    parentHash,
    issuedAt: NOW,
    expiresAt: NOW + DAY_MS,
    usedAt: null,
    successorEnc: null,
    spentBy: null,
  };
}

export function aCredential(userId: string, overrides: Partial<Credential> = {}): Credential {
  return {
    id: id('cred'),
    kind: 'pat',
    userId,
    name: 'contract',
    secretHash: randomBytes(32).toString('hex'),
    prefix: 'latchkey_pat_abcd',
    scopes: ['agents:read'],
    role: 'USER',
    createdAt: NOW,
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

export function aClient(overrides: Partial<OAuthClient> = {}): OAuthClient {
  return {
    id: id('latchkey_client'),
    name: 'contract',
    secretHash: randomBytes(32).toString('hex'),
    secretPrefix: 'latchkey_cs_abcd',
    scopes: ['agents:read'],
    canIntrospect: false,
    canReadRevocations: false,
    createdBy: null,
    createdAt: NOW,
    secretRotatedAt: NOW,
    lastUsedAt: null,
    ...overrides,
  };
}

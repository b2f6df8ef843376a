import type { Role } from './user-store.js';

export type CredentialKind = 'pat' | 'ingest';

/** A personal access token or an ingest API key, as stored (hash only). */
export interface Credential {
  id: string;
  kind: CredentialKind;
  userId: string;
  name: string;
  secretHash: string;
  prefix: string;
  scopes: string[];
  role: Role;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface CredentialStore {
  insert(credential: Credential): Promise<void>;
  /** The live credential with this secret hash: not revoked, and its owner not disabled. */
  findActiveByHash(secretHash: string): Promise<Credential | null>;
  listActive(userId: string, kind: CredentialKind): Promise<Credential[]>;
  /** Revokes one of the user's credentials of `kind`; returns it, or null when there was no live one. */
  revoke(userId: string, id: string, kind: CredentialKind, at: number): Promise<Credential | null>;
  touch(id: string, at: number): Promise<void>;
  /** Revokes the user's live credentials of `kind` that carry one of `roles`; returns them. */
  revokeWithRoles(userId: string, kind: CredentialKind, roles: readonly Role[], at: number): Promise<Credential[]>;
  /**
   * Stores the user's ingest key, atomically with its rules: one live key per user (a unique
   * index); with `replace`, the live one is revoked in the same transaction. Returns the revoked
   * keys, or null when a live key exists (and `replace` was not given, or another request won).
   */
  insertIngestKey(credential: Credential, replace: boolean, at: number): Promise<Credential[] | null>;
}

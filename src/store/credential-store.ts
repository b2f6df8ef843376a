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
  /**
   * Stores the credential under the owner's row lock with the role the owner holds at that moment
   * (not `credential.role`, read earlier), so it cannot outlive a demotion that ran in between.
   * Returns the credential as stored, or null when the owner is gone.
   */
  insert(credential: Credential): Promise<Credential | null>;
  /** The live credential with this secret hash: not revoked, and its owner not disabled. */
  findActiveByHash(secretHash: string): Promise<Credential | null>;
  listActive(userId: string, kind: CredentialKind): Promise<Credential[]>;
  /** Revokes one of the user's credentials of `kind`; returns it, or null when there was no live one. */
  revoke(userId: string, id: string, kind: CredentialKind, at: number): Promise<Credential | null>;
  touch(id: string, at: number): Promise<void>;
  /**
   * Stores the user's ingest key, atomically with its rules: one live key per user (a unique
   * index); with `replace`, the live one is revoked in the same transaction. Returns the revoked
   * keys, or null when a live key exists (and `replace` was not given, or another request won).
   */
  insertIngestKey(credential: Credential, replace: boolean, at: number): Promise<Credential[] | null>;
}

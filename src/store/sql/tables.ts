/**
 * Row types as the database holds them. Timestamps are epoch milliseconds (bigint); secrets are
 * stored as hashes (`*_hash`) or AES-GCM ciphertext (`*_enc`), never in clear.
 */
export interface UserRow {
  id: string;
  email: string;
  email_normalized: string;
  password_hash: string;
  role: string;
  plan: string;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
  /** When the address was proven (a link used, or an operator created the account); null while unverified. */
  email_verified_at: number | null;
}

export interface SessionRow {
  id: string;
  user_id: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  revoked_at: number | null;
  ip: string | null;
  user_agent: string | null;
  /** 1 when refresh tokens rotate (v1 sessions), 0 for a non-rotating flat-surface session. */
  rotating: number;
}

export interface RefreshTokenRow {
  /** SHA-256 of the token's jti. */
  id_hash: string;
  session_id: string;
  user_id: string;
  parent_hash: string | null;
  issued_at: number;
  expires_at: number;
  used_at: number | null;
  /** The successor refresh token, encrypted, so a racing duplicate inside the grace window gets the same one. */
  successor_enc: string | null;
  /** SHA-256 of the spending client's IP network and User-Agent. */
  spent_by: string | null;
}

export interface SigningKeyRow {
  kid: string;
  env: string;
  generation: number;
  alg: string;
  private_key_enc: string;
  public_jwk: string;
  created_at: number;
}

export interface RevocationRow {
  key: string;
  expires_at: number;
  /** Position in the revocation feed: taken from revocation_counter by every write of the row. */
  seq: number;
  revoked_at: number;
}

/** The one row (id 1) holding the last revocation feed position handed out. */
export interface RevocationCounterRow {
  id: number;
  seq: number;
}

export interface OAuthClientRow {
  /** The client_id, `<brand>_client_...`. */
  id: string;
  name: string;
  /** SHA-256 (hex) of the current client secret. */
  secret_hash: string;
  /** The first characters of the secret, to recognise it in a list. */
  secret_prefix: string;
  /** JSON array of the scopes the client may be granted. */
  scopes: string;
  /** 1 when the client may call /oauth/introspect. */
  can_introspect: number;
  /** 1 when the client may read /oauth/revocations. */
  can_read_revocations: number;
  /** The ADMIN who registered it; null for the operator (CLI). */
  created_by: string | null;
  created_at: number;
  secret_rotated_at: number;
  last_used_at: number | null;
}

export interface AuditEventRow {
  id: string;
  at: number;
  type: string;
  user_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string | null;
}

export interface KvEntryRow {
  key: string;
  value: string;
  expires_at: number;
}

/** A lockout's failure record (store/failure-store.ts); the embedded default's copy of what Redis holds. */
export interface FailureRecordRow {
  grp: string;
  member: string;
  value: string;
  expires_at: number;
}

export interface TotpCredentialRow {
  user_id: string;
  /** The confirmed secret (base32), encrypted. */
  secret_enc: string | null;
  /** A secret from setup not yet confirmed with a code, encrypted. */
  pending_secret_enc: string | null;
  enabled_at: number | null;
  /** The last accepted 30-second step: a code is accepted only for a later step (replay protection). */
  last_step: number | null;
}

export interface RecoveryCodeRow {
  /** SHA-256 of the normalized code (80 random bits, so a fast hash is enough). */
  code_hash: string;
  user_id: string;
  created_at: number;
  used_at: number | null;
}

export interface PendingLoginRow {
  /** SHA-256 of the pending token's jti. */
  jti_hash: string;
  user_id: string;
  expires_at: number;
  used_at: number | null;
}

export interface ApiCredentialRow {
  id: string;
  /** `pat` (personal access token) or `ingest` (X-API-Key). */
  kind: string;
  user_id: string;
  name: string;
  /** SHA-256 (hex) of the whole secret: the secret itself is never stored. */
  secret_hash: string;
  /** The first characters of the secret, to recognise it in a list. */
  prefix: string;
  /** JSON array of scopes. */
  scopes: string;
  /** The account's role when the credential was created (a snapshot). */
  role: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AgentRow {
  id: string;
  user_id: string;
  name: string;
  description: string | null;
  created_at: number;
  updated_at: number;
}

export interface VoiceLogRow {
  id: string;
  user_id: string;
  api_key_id: string | null;
  filename: string;
  content_type: string;
  size_bytes: number;
  /** Relative to DATA_DIR/uploads. */
  storage_path: string;
  /** JSON object of the upload's metadata fields. */
  metadata: string | null;
  created_at: number;
}

export interface PasskeyRow {
  id: string;
  user_id: string;
  /** The WebAuthn credential ID, base64url. */
  credential_id: string;
  /** The COSE public key, base64url. */
  public_key: string;
  /** The authenticator's signature counter at its last use; 0 for authenticators that keep none. */
  counter: number;
  /** JSON array of the transports the authenticator named (usb, nfc, ble, internal, hybrid, ...). */
  transports: string;
  /** `singleDevice` or `multiDevice` (a synced passkey). */
  device_type: string;
  /** 1 when the authenticator says the passkey is backed up (synced). */
  backed_up: number;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

export interface PasskeyChallengeRow {
  /** SHA-256 of the handle the client returns: the login's challengeToken, else the challenge itself. */
  handle_hash: string;
  /** register, login, second-factor or step-up. */
  purpose: string;
  /** Who may answer it: a user id, a pending login's jti hash, or null (a discoverable login). */
  bound_to: string | null;
  /** base64url, as sent in the options. */
  challenge: string;
  expires_at: number;
}

export interface EmailTokenRow {
  /** SHA-256 (hex) of the token in the mailed link. */
  token_hash: string;
  /** password-reset, email-verification or email-change. */
  kind: string;
  user_id: string;
  /** The address the link went to: for a change, the new address. */
  email: string;
  /** SHA-256 of the password hash and normalized e-mail when the link was made: a change of either kills it. */
  binding: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface Tables {
  users: UserRow;
  sessions: SessionRow;
  refresh_tokens: RefreshTokenRow;
  signing_keys: SigningKeyRow;
  revocations: RevocationRow;
  revocation_counter: RevocationCounterRow;
  oauth_clients: OAuthClientRow;
  audit_events: AuditEventRow;
  kv_entries: KvEntryRow;
  failure_records: FailureRecordRow;
  totp_credentials: TotpCredentialRow;
  recovery_codes: RecoveryCodeRow;
  pending_logins: PendingLoginRow;
  api_credentials: ApiCredentialRow;
  agents: AgentRow;
  voice_logs: VoiceLogRow;
  passkeys: PasskeyRow;
  passkey_challenges: PasskeyChallengeRow;
  email_tokens: EmailTokenRow;
}

import type { AgentStore } from './agent-store.js';
import type { AuditStore } from './audit-store.js';
import type { ClientStore } from './client-store.js';
import type { CredentialStore } from './credential-store.js';
import type { EmailTokenStore } from './email-token-store.js';
import type { FailureStore } from './failure-store.js';
import type { Kv } from './kv.js';
import type { LimiterFactory } from './limiter.js';
import type { PasskeyStore } from './passkey-store.js';
import type { RevocationSignal } from './revocation-signal.js';
import type { RevocationStore } from './revocation-store.js';
import type { SessionStore } from './session-store.js';
import type { SigningKeyStore } from './signing-key-store.js';
import type { TwoFactorStore } from './two-factor-store.js';
import type { UploadStorage } from './upload-storage.js';
import type { UserStore } from './user-store.js';
import type { VoiceLogStore } from './voice-log-store.js';

/** Everything core needs from storage. */
export interface Stores {
  users: UserStore;
  sessions: SessionStore;
  signingKeys: SigningKeyStore;
  revocations: RevocationStore;
  audit: AuditStore;
  twoFactor: TwoFactorStore;
  /** Passkeys and their ceremonies' challenges. */
  passkeys: PasskeyStore;
  credentials: CredentialStore;
  /** OAuth clients (service accounts). */
  clients: ClientStore;
  agents: AgentStore;
  /** The tokens of mailed links (reset, verification, address change), hashed. */
  emailTokens: EmailTokenStore;
  voiceLogs: VoiceLogStore;
  /** Uploaded audio files, under DATA_DIR/uploads. */
  uploads: UploadStorage;
  kv: Kv;
  /** Builds shared attempt counters (login and 2FA rate limits, upload limits). */
  limiters: LimiterFactory;
  /** Failed-login and failed-2FA records behind the lockout. */
  failures: FailureStore;
  /** Pokes the revocation feed of every instance when revocations are recorded. */
  revocationSignal: RevocationSignal;
  /** Rejects when the database cannot answer. */
  pingDatabase(): Promise<void>;
  /** Whether the schema has every migration this build knows; rejects when the database cannot answer. */
  isSchemaCurrent(): Promise<boolean>;
  close(): Promise<void>;
}

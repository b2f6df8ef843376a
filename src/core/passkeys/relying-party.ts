import { createHmac, hkdfSync } from 'node:crypto';

/** The WebAuthn relying party this server is, and what its ceremonies share. */
export interface RelyingParty {
  id: string;
  name: string;
  origins: readonly string[];
  /**
   * Credential IDs to offer for an e-mail address with no passkey (or no account), the same on
   * every call and every instance, so the login options do not tell who has an account.
   */
  decoyCredentialIds(normalizedEmail: string): string[];
}

export function createRelyingParty(
  settings: { webauthnRpId: string; webauthnRpName: string; webauthnOrigins: readonly string[] },
  masterSecret: string,
): RelyingParty {
  const decoyKey = Buffer.from(hkdfSync('sha256', masterSecret, 'latchkey', 'latchkey passkey decoys v1', 32));
  return {
    id: settings.webauthnRpId,
    name: settings.webauthnRpName,
    origins: settings.webauthnOrigins,
    decoyCredentialIds: (email) => [
      createHmac('sha256', decoyKey).update(email).digest().subarray(0, 16).toString('base64url'),
    ],
  };
}

import { parse } from 'tldts';

/** The WebAuthn relying party the server speaks for (WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME, WEBAUTHN_ORIGINS). */
export interface RelyingPartySettings {
  /** The RP ID: passkeys are bound to it. */
  id: string;
  /** Shown by authenticators beside the passkey. */
  name: string;
  /** Origins whose pages may use the passkeys, without a trailing slash. */
  origins: readonly string[];
}

const ORIGINS_EXPECTED = 'comma-separated origins such as https://app.example.com (scheme, host and port only)';

/** WEBAUTHN_ORIGINS as origins; a message naming what is wrong with the first bad entry. */
export function parseOrigins(raw: string): string[] | { error: string } {
  const origins: string[] = [];
  for (const entry of raw.split(',').map((s) => s.trim())) {
    if (!entry) continue;
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      return { error: `not an origin (${entry}); expected ${ORIGINS_EXPECTED}` };
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== entry.replace(/\/$/, ''))
      return { error: `not an origin (${entry}); expected ${ORIGINS_EXPECTED}` };
    origins.push(url.origin);
  }
  return origins.length > 0 ? [...new Set(origins)] : { error: `empty; expected ${ORIGINS_EXPECTED}` };
}

/**
 * Whether a page on `host` may use passkeys of `rpId` (WebAuthn Level 3, section 5.1.3 step 8):
 * the RP ID is the host itself, or a parent domain of it that is registrable, i.e. not a public
 * suffix such as `com` or `github.io` (the Public Suffix List, through tldts).
 */
export function isRegistrableSuffix(rpId: string, host: string): boolean {
  if (rpId === host) return true;
  if (!host.endsWith(`.${rpId}`)) return false;
  const parsed = parse(rpId, { allowPrivateDomains: true });
  return !parsed.isIp && parsed.domain !== null && parsed.publicSuffix !== rpId;
}

/** The first origin whose host `rpId` cannot serve, or null when it serves them all. */
export function originOutsideRpId(rpId: string, origins: readonly string[]): string | null {
  return origins.find((origin) => !isRegistrableSuffix(rpId, new URL(origin).hostname)) ?? null;
}

import { z } from 'zod';
import { AuthError } from '../core/index.js';

// The WebAuthn JSON forms (WebAuthn Level 3, section 5.1.8 and 5.5): the same on both surfaces,
// field names included, since browsers and @simplewebauthn/browser read and write them as they are.

const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*={0,2}$/, 'must be base64url');
const transports = z.array(z.string().max(32)).max(10);
const KNOWN_TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;
type KnownTransport = (typeof KNOWN_TRANSPORTS)[number];
/** An authenticator's transports; ones this server does not know (a later WebAuthn level's) are dropped. */
const presentedTransports = transports.transform((list) =>
  list.filter((t): t is KnownTransport => (KNOWN_TRANSPORTS as readonly string[]).includes(t)),
);
const descriptor = z.object({ id: z.string(), type: z.literal('public-key'), transports: transports.optional() });

/** PublicKeyCredentialCreationOptionsJSON, as register/options answers it. */
export const creationOptions = z
  .object({
    rp: z.object({ name: z.string(), id: z.string().optional() }),
    user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
    challenge: z.string(),
    pubKeyCredParams: z.array(z.object({ alg: z.number().int(), type: z.literal('public-key') })),
    timeout: z.number().int().optional(),
    excludeCredentials: z.array(descriptor).optional(),
    authenticatorSelection: z
      .object({
        authenticatorAttachment: z.string().optional(),
        residentKey: z.string().optional(),
        requireResidentKey: z.boolean().optional(),
        userVerification: z.string().optional(),
      })
      .optional(),
    hints: z.array(z.string()).optional(),
    attestation: z.string().optional(),
    extensions: z.object({ credProps: z.boolean().optional() }).optional(),
  })
  .describe('PublicKeyCredentialCreationOptionsJSON: pass it to navigator.credentials.create');

/** PublicKeyCredentialRequestOptionsJSON, as the options calls of a login, 2FA step and step-up answer it. */
export const requestOptions = z
  .object({
    challenge: z.string(),
    timeout: z.number().int().optional(),
    rpId: z.string().optional(),
    allowCredentials: z.array(descriptor).optional(),
    userVerification: z.string().optional(),
    hints: z.array(z.string()).optional(),
  })
  .describe('PublicKeyCredentialRequestOptionsJSON: pass it to navigator.credentials.get');

const credentialFields = {
  id: base64url(1400),
  rawId: base64url(1400),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};

/** RegistrationResponseJSON: what navigator.credentials.create resolved to, as JSON. */
export const registrationResponse = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(32768),
    authenticatorData: base64url(32768).optional(),
    transports: presentedTransports.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(4096).optional(),
  }),
});

/** AuthenticationResponseJSON: what navigator.credentials.get resolved to, as JSON. */
export const authenticationResponse = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(4096),
    signature: base64url(1024),
    userHandle: base64url(256).optional(),
  }),
});

export const passkeyName = z.string().trim().min(1, 'is required').max(64);
export const passkeyId = z.object({ id: z.string().max(64) });

/**
 * The one proof a step was sent, of two it accepts (a code or a passkey, a password or a
 * passkey): VALIDATION_FAILED naming the first field when neither came, or when both did.
 */
export function oneOf<A, B>(
  first: [name: string, value: A | undefined],
  second: [name: string, value: B | undefined],
): { first: A } | { second: B } {
  const [firstName, a] = first;
  const [secondName, b] = second;
  if (a !== undefined && b !== undefined)
    throw new AuthError('VALIDATION_FAILED', {
      message: `${secondName}: send ${firstName} or ${secondName}, not both`,
    });
  if (b !== undefined) return { second: b };
  if (a === undefined) throw new AuthError('VALIDATION_FAILED', { message: `${firstName}: is required` });
  return { first: a };
}

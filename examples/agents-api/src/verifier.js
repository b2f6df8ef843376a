// readme:verifier
import { createVerifier } from '@latchkey/verify';

export const verifier = createVerifier({
  issuer: process.env.LATCHKEY_ISSUER, // Latchkey's PUBLIC_URL
  clientId: process.env.LATCHKEY_CLIENT_ID,
  clientSecret: process.env.LATCHKEY_CLIENT_SECRET,
});
// readme:end

// Serve once revocations are current: until then each request would be introspected.
await verifier.ready().catch((error) => console.error(`latchkey: ${error.message}; starting anyway`));

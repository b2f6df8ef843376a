import { z } from 'zod';
import { OAUTH_ERROR_CODES } from '../../core/index.js';

/** The paths of the RFC endpoints, which the authorization server metadata advertises. */
export const OAUTH_PATHS = {
  token: '/oauth/token',
  introspection: '/oauth/introspect',
  revocation: '/oauth/revoke',
  revocationFeed: '/oauth/revocations',
} as const;

/**
 * Client authentication in the body (client_secret_post, RFC 6749 section 2.3.1); HTTP Basic is
 * the other way. Not bounded here (the body limit bounds them): a token pasted as a secret is a
 * failed authentication, invalid_client, as it is in Basic credentials, not a validation error.
 */
const clientCredentials = {
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
};

/**
 * The form body of an endpoint that authenticates its client: `fields` and the client_secret_post
 * parameters. Other parameters are ignored, as RFC 6749 section 3.1 requires.
 */
export function formBody<T extends z.ZodRawShape>(fields: T) {
  return z.object(
    { ...fields, ...clientCredentials },
    {
      error: (issue) =>
        issue.input === undefined || issue.input === null
          ? 'the parameters go in an application/x-www-form-urlencoded body'
          : undefined,
    },
  );
}

/** The body of introspection (RFC 7662 section 2.1) and revocation (RFC 7009 section 2.1). */
export const tokenBody = formBody({
  // Unbounded here (the body limit bounds it): an oversized token is not a token, and says so as one.
  token: z.string(),
  token_type_hint: z.string().max(64).optional(),
});

/** `{error, error_description}`: RFC 6749 section 5.2, the body of every /oauth/* refusal. */
export const oauthErrorSchema = z.object({
  error: z.enum(OAUTH_ERROR_CODES),
  error_description: z.string(),
});

/** OpenAPI: the client authenticates with HTTP Basic, or with client_id and client_secret in the body. */
export const CLIENT_AUTHENTICATION = [{ oauthClient: [] }];

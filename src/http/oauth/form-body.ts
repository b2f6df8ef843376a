import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../../core/index.js';

/**
 * The RFC endpoints' body, `application/x-www-form-urlencoded` (RFC 6749 appendix B), as a plain
 * object of strings, and no other: a JSON body is 415 (invalid_request), not a second way to send
 * the same request that every proxy and client would have to agree on. A parameter sent twice is
 * refused: RFC 6749 section 3.2 says parameters must not repeat, and taking either copy would let
 * two parsers disagree on the request.
 */
export function useFormBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const parameters: Record<string, string> = Object.create(null);
    for (const [name, value] of new URLSearchParams(body as string)) {
      if (name in parameters) {
        // Only a parameter name of the RFCs' shape is named back: error bodies never echo input.
        const named = /^[a-z_]{1,40}$/.test(name) ? `The ${name} parameter` : 'A parameter';
        done(new OAuthError('invalid_request', `${named} is repeated`), undefined);
        return;
      }
      parameters[name] = value;
    }
    done(null, parameters);
  });
}

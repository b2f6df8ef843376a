import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILES, renderApiTypes } from '../scripts/api-types.js';
import { caller } from './helpers/api.js';
import { useServer } from './helpers/server.js';
import { embeddedTarget } from './helpers/targets.js';

describe('the OpenAPI document', () => {
  const { server } = useServer(embeddedTarget);

  it('describes every route of both surfaces, generated from their schemas', async () => {
    const res = await caller(server).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const paths = Object.keys(res.body.paths);
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/auth/refresh',
      '/api/v1/tokens',
      '/api/v1/agents/{id}',
      '/api/auth/login',
      '/api/auth/mfa/verify',
      '/api/ingest/upload',
      '/api/voicelogs',
    ]) {
      expect(paths).toContain(path);
    }
    const login = res.body.paths['/api/v1/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['email', 'password']);
    expect(JSON.stringify(login.responses['200'])).toContain('refreshToken');
    expect(JSON.stringify(res.body.paths['/api/auth/login'].post.responses['200'])).toContain('mfa_token');
    // Each surface's error body, on every route.
    expect(login.responses['4XX'].content['application/json'].schema.properties.error.required).toEqual([
      'code',
      'message',
    ]);
    expect(
      res.body.paths['/api/auth/change-password'].post.responses['4XX'].content['application/json'].schema.required,
    ).toEqual(['detail', 'code']);
  });

  it('describes the OAuth endpoints with their form bodies, the RFC error body and HTTP Basic client authentication', async () => {
    const res = await caller(server).get('/openapi.json');
    expect(res.body.components.securitySchemes.oauthClient).toMatchObject({ type: 'http', scheme: 'basic' });
    const rfcError = {
      type: 'object',
      properties: {
        error: { type: 'string', enum: expect.arrayContaining(['invalid_request', 'invalid_client', 'invalid_scope']) },
        error_description: { type: 'string' },
      },
      required: ['error', 'error_description'],
    };
    for (const [path, field] of [
      ['/oauth/token', 'grant_type'],
      ['/oauth/introspect', 'token'],
      ['/oauth/revoke', 'token'],
    ] as const) {
      const operation = res.body.paths[path].post;
      expect(operation.security, path).toEqual([{ oauthClient: [] }]);
      const form = operation.requestBody.content['application/x-www-form-urlencoded'].schema;
      expect(Object.keys(form.properties), path).toEqual(expect.arrayContaining([field, 'client_id', 'client_secret']));
      expect(operation.requestBody.content['application/json'], path).toBeUndefined();
      for (const status of ['4XX', '5XX']) {
        expect(operation.responses[status].content['application/json'].schema, `${path} ${status}`).toMatchObject(
          rfcError,
        );
      }
    }
    expect(
      res.body.paths['/oauth/introspect'].post.requestBody.content['application/x-www-form-urlencoded'].schema.required,
    ).toEqual(['token']);
    expect(res.body.paths['/oauth/revoke'].post.responses['200'].content).toBeUndefined();
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/oauth-protected-resource']) {
      expect(
        res.body.paths[path].get.responses['200'].content['application/json'].schema.properties,
        path,
      ).toBeDefined();
    }
  });

  it("is what the dashboard's and @latchkey/client's committed types were generated from", async () => {
    const generated = await renderApiTypes((await caller(server).get('/openapi.json')).body);
    expect(generated).toContain('"/api/v1/tokens": {');
    expect(API_TYPES_FILES.map((file) => file.replace(/.*\/(web|packages)\//, '$1/'))).toEqual([
      'web/src/api/openapi.d.ts',
      'packages/client/src/openapi.ts',
    ]);
    for (const file of API_TYPES_FILES) {
      expect(readFileSync(file, 'utf8') === generated, `${file} is stale: run npm run gen:api`).toBe(true);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { DOCS_CSP } from '../../src/http/openapi.js';
import { capture, useDashboard } from './harness.js';

describe('the API reference at /docs in Chromium', () => {
  const dashboard = useDashboard({});

  it('renders every surface from /openapi.json under the dashboard CSP (plus one style hash), with no violation', async () => {
    const { page, context } = await dashboard.open();
    const response = await page.goto(`${dashboard.baseUrl}/docs`);
    expect(response?.status()).toBe(200);
    // The page, its script and its styles all come with the dashboard's policy.
    const loaded = await page.request.get(`${dashboard.baseUrl}/docs/static/swagger-ui-bundle.js`);
    for (const headers of [(await page.goto(page.url()))!.headers(), loaded.headers()])
      expect(headers['content-security-policy']).toBe(DOCS_CSP);
    await page.getByText('/api/v1/auth/login', { exact: true }).waitFor();
    for (const path of ['/api/auth/login', '/oauth/token', '/api/v1/agents/{id}'])
      await expect(page.getByText(path, { exact: true }).first().isVisible()).resolves.toBe(true);
    await capture(page, 'docs');
    await context.close();
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from '../helpers/server.js';
import { capture, expectPage, navLink, registerAccount, signIn, useDashboard, wavFile } from './harness.js';

describe('the dashboard in a browser: API keys and the ingest key', { timeout: 60_000 }, () => {
  const dashboard = useDashboard({ LOGIN_RATE_LIMIT: '1000' });
  let baseUrl: string;
  beforeAll(() => {
    baseUrl = dashboard.baseUrl;
  });

  it('creates a personal access token shown once, which works until it is revoked', async () => {
    const { context, page } = await dashboard.open();
    const email = uniqueEmail('pat');
    await registerAccount(baseUrl, email);
    await signIn(page, baseUrl, email);

    await navLink(page, 'Settings').click();
    await expectPage(page, 'API keys');
    await page.getByText('No tokens yet.').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('CRM sync');
    await page.getByLabel(/agents:write/).check();
    await capture(page, 'api-keys-create');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('secret-value').textContent())!;
    expect(token).toMatch(/^latchkey_pat_/);
    await page.getByText('It will not be shown again').waitFor();
    await capture(page, 'api-keys-created');

    const created = await fetch(`${baseUrl}/api/v1/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Front desk', description: 'Answers the main line' }),
    });
    expect(created.status).toBe(201);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByTestId('secret-value').waitFor({ state: 'detached' });

    // Keyboard: a focused link opens its page, and the new page's heading takes the focus.
    await navLink(page, 'Agents').focus();
    await page.keyboard.press('Enter');
    await expectPage(page, 'Agents');
    await page.getByRole('rowheader', { name: 'Front desk' }).waitFor();
    await capture(page, 'agents');

    await page.goBack();
    await expectPage(page, 'API keys');
    const row = page.getByRole('row', { name: /CRM sync/ });
    await row.waitFor();
    expect(await row.textContent()).not.toContain('Never');
    await capture(page, 'api-keys');

    await row.getByRole('button', { name: 'Revoke CRM sync' }).click();
    await page.getByRole('dialog', { name: 'Revoke “CRM sync”?' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await row.getByRole('button', { name: 'Revoke CRM sync' }).click();
    await capture(page, 'api-keys-revoke-dialog', { fullPage: false });
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText('Token “CRM sync” revoked.').waitFor();
    await page.getByText('No tokens yet.').waitFor();

    const refused = await fetch(`${baseUrl}/api/v1/agents`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('INVALID_PAT');
    await context.close();
  });

  it('generates an ingest key whose uploads appear under Voice logs; regenerating and revoking stop the old key', async () => {
    const { context, page } = await dashboard.open();
    const email = uniqueEmail('ingest');
    await registerAccount(baseUrl, email);
    await signIn(page, baseUrl, email);

    await page.goto(`${baseUrl}/settings/api-key`);
    await expectPage(page, 'Ingest API key');
    await page.getByText('You have no API key.').waitFor();
    await capture(page, 'ingest-key-none');
    await page.getByRole('button', { name: 'Generate API key' }).click();
    const key = (await page.getByTestId('secret-value').textContent())!;
    expect(key).toMatch(/^latchkey_test_/);
    await page.getByText('It will not be shown again').waitFor();
    expect(await page.locator('#curl-example').textContent()).toContain(`${baseUrl}/api/ingest/upload`);
    await capture(page, 'ingest-key-created');

    const form = new FormData();
    form.append('caller', '+15550100');
    form.append('file', new Blob([wavFile()], { type: 'audio/wav' }), 'greeting.wav');
    const upload = await fetch(`${baseUrl}/api/ingest/upload`, {
      method: 'POST',
      headers: { 'x-api-key': key },
      body: form,
    });
    expect(upload.status).toBe(201);

    await navLink(page, 'Voice logs').click();
    await expectPage(page, 'Voice logs');
    const row = page.getByRole('row', { name: /greeting\.wav/ });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/audio\/wav.*3\.9 KB.*caller.*\+15550100/);
    await capture(page, 'voice-logs');

    await page.goBack();
    await expectPage(page, 'Ingest API key');
    await page.getByRole('button', { name: 'Regenerate', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Regenerate key' }).click();
    const replacement = page.getByTestId('secret-value').filter({ hasNotText: key });
    await replacement.waitFor();
    const ping = (apiKey: string) => fetch(`${baseUrl}/api/ingest/ping`, { headers: { 'x-api-key': apiKey } });
    expect((await ping(key)).status).toBe(401);
    const newKey = (await replacement.textContent())!;
    expect((await ping(newKey)).status).toBe(200);
    await capture(page, 'ingest-key');

    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('You have no API key.').waitFor();
    expect((await ping(newKey)).status).toBe(401);
    await context.close();
  });
});

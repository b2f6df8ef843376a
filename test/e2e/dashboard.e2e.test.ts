import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthError } from '../../src/core/errors.js';
import { DASHBOARD_CSP } from '../../src/http/dashboard.js';
import { PASSWORD } from '../helpers/api.js';
import { manualClock } from '../helpers/clock.js';
import { uniqueEmail } from '../helpers/server.js';
import {
  capture,
  expectPage,
  navLink,
  registerAccount,
  signIn,
  submitPassword,
  totpCode,
  useDashboard,
  WAIT_MS,
} from './harness.js';

const TOTP_STEP_MS = 30_000;
const ACCESS_TOKEN_TTL_MS = 15 * 60_000;

describe('the dashboard in a browser: signing in and staying signed in', { timeout: 60_000 }, () => {
  // The server's time is the test's: TOTP steps and token expiry move when the test says so.
  const clock = manualClock();
  const dashboard = useDashboard({ LOGIN_RATE_LIMIT: '1000' }, clock);
  let baseUrl: string;
  beforeAll(() => {
    baseUrl = dashboard.baseUrl;
  });

  it('serves the dashboard with the strict CSP, also on client-side routes', async () => {
    for (const path of ['/', '/settings/security']) {
      const response = await fetch(`${baseUrl}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
      expect(await response.text()).toContain('<div id="root">');
    }
  });

  it('notices a CSP violation, so the check after every test means something', async () => {
    const { context, page } = await dashboard.open();
    await page.goto(baseUrl);
    await expectPage(page, 'Sign in');
    const reported = page.waitForEvent('console', {
      predicate: (message) => message.text().startsWith('CSP violation'),
      timeout: WAIT_MS,
    });
    await page.evaluate(
      `document.body.append(Object.assign(document.createElement('script'), { textContent: 'window.injected = 1' }))`,
    );
    expect((await reported).text()).toContain('script-src');
    expect(await page.evaluate('window.injected')).toBeUndefined();
    expect(dashboard.problems.splice(0).length).toBeGreaterThan(0);
    await context.close();
  });

  it('signs up, turns on two-factor from the key on the page, signs in with a code and a recovery code, renews the codes and turns it off', async () => {
    const { context, page } = await dashboard.open();
    const email = uniqueEmail('twofactor');
    await page.goto(baseUrl);
    await expectPage(page, 'Sign in');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await capture(page, 'sign-in');

    await page.getByRole('link', { name: 'Create one' }).click();
    await expectPage(page, 'Create an account');
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await capture(page, 'sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expectPage(page, 'Agents');
    await page.getByText('No agents yet.').waitFor();
    await capture(page, 'agents-empty');

    await navLink(page, 'Settings').click();
    await expectPage(page, 'API keys');
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Security' }).click();
    await expectPage(page, 'Security');
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!.replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.getByRole('img', { name: /QR code/ }).getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await capture(page, 'security-two-factor-setup');

    await page.getByLabel('Code from the app').fill(totpCode(secret, clock));
    await page.getByRole('button', { name: 'Confirm and turn on' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    const codes = await page.getByTestId('recovery-codes').locator('li').allTextContents();
    expect(codes).toHaveLength(10);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download' }).click(),
    ]);
    const saved = await readFile((await download.path())!, 'utf8');
    for (const code of codes) expect(saved).toContain(code);
    await capture(page, 'security-recovery-codes');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByText('Signing in asks for a code').waitFor();

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expectPage(page, 'Sign in');
    await page.getByText('You have signed out.').waitFor();

    // A code is accepted once: the next sign-in uses the next 30-second step.
    clock.advance(TOTP_STEP_MS);
    await submitPassword(page, email);
    await page.getByLabel('Authentication code').waitFor();
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').getByText('That code is not correct').waitFor();
    await capture(page, 'sign-in-two-factor');
    await page.getByLabel('Authentication code').fill(totpCode(secret, clock));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectPage(page, 'Agents');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expectPage(page, 'Sign in');
    await submitPassword(page, email);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(codes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectPage(page, 'Agents');

    await page.goto(`${baseUrl}/settings/security`);
    await expectPage(page, 'Security');
    await page.getByRole('button', { name: /new recovery codes/i }).click();
    clock.advance(TOTP_STEP_MS);
    await page
      .getByRole('form', { name: 'New recovery codes' })
      .getByLabel('Authentication code')
      .fill(totpCode(secret, clock));
    await page.getByRole('button', { name: 'Issue new codes' }).click();
    await page.getByText('New recovery codes issued; the old ones no longer work.').waitFor();
    const newCodes = await page.getByTestId('recovery-codes').locator('li').allTextContents();
    expect(newCodes).toHaveLength(10);
    expect(newCodes).not.toContain(codes[1]);
    await page.getByRole('button', { name: 'I have saved them' }).click();

    await page.getByRole('button', { name: /turn (it )?off/i }).click();
    clock.advance(TOTP_STEP_MS);
    const turnOff = page.getByRole('form', { name: 'Turn off two-factor' });
    await turnOff.getByLabel('Authentication code').fill(totpCode(secret, clock));
    await turnOff.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await capture(page, 'security-two-factor-off');
    await page.getByRole('button', { name: 'Turn off two-factor' }).click();
    await page.getByText('Two-factor authentication is off.').waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expectPage(page, 'Sign in');
    await submitPassword(page, email);
    await expectPage(page, 'Agents');
    await context.close();
  });

  it('stays signed in, and says so, when the server cannot end the session', async () => {
    const email = uniqueEmail('signout');
    await registerAccount(baseUrl, email);
    const { context, page } = await dashboard.open();
    await signIn(page, baseUrl, email);
    // The session store is down: logout answers 503 and the session is still alive.
    const outage = vi
      .spyOn(dashboard.server.core.denylist, 'revoke')
      .mockRejectedValue(new AuthError('KV_UNAVAILABLE'));
    try {
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page
        .getByRole('alert')
        .getByText(/Could not sign out/)
        .waitFor();
      // Still on the same page (focus stays on the button, so not expectPage, which wants it on the heading).
      await page.getByRole('heading', { level: 1, name: 'Agents', exact: true }).waitFor();
    } finally {
      outage.mockRestore();
    }
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expectPage(page, 'Sign in');
    await page.getByText('You have signed out.').waitFor();
    await context.close();
  });

  it('keeps the user signed in across a reload, with no token readable by page scripts', async () => {
    const email = uniqueEmail('storage');
    await registerAccount(baseUrl, email);
    const { context, page } = await dashboard.open();
    await page.goto(`${baseUrl}/sign-in`);
    const login = (await (await submitPassword(page, email)).json()) as {
      data: { token: string; refreshToken?: string };
    };
    expect(login.data.refreshToken).toBeUndefined();
    await expectPage(page, 'Agents');

    await navLink(page, 'Voice logs').click();
    await expectPage(page, 'Voice logs');
    await page.reload();
    await expectPage(page, 'Voice logs');
    await page.getByText('No voice logs yet.').waitFor();
    await capture(page, 'voice-logs-empty');

    const readable: { cookie: string; local: unknown[]; session: unknown[] } = await page.evaluate(
      '({ cookie: document.cookie, local: Object.entries(localStorage), session: Object.entries(sessionStorage) })',
    );
    const exposed = JSON.stringify(readable);
    expect(exposed).not.toContain(login.data.token);
    expect(exposed).not.toMatch(/eyJ|latchkey_/);
    expect(readable.cookie).toBe('');

    // The refresh token, and the device cookie that gives this browser its own lockout budget.
    const cookies = (await context.cookies()).sort((a, b) => a.name.localeCompare(b.name));
    expect(cookies).toHaveLength(2);
    expect(cookies[0]).toMatchObject({ name: 'latchkey_device', httpOnly: true, sameSite: 'Strict', path: '/api' });
    expect(cookies[1]).toMatchObject({
      name: 'latchkey_refresh',
      httpOnly: true,
      sameSite: 'Strict',
      path: '/api/v1/auth/refresh',
    });
    await context.close();
  });

  it('refreshes an expired access token once, however many requests failed, and retries them', async () => {
    const email = uniqueEmail('expiry');
    await registerAccount(baseUrl, email);
    const { context, page } = await dashboard.open();
    await signIn(page, baseUrl, email);

    await navLink(page, 'Settings').click();
    await expectPage(page, 'API keys');
    await page.getByText('No tokens yet.').waitFor();

    const calls: string[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith('/api/')) calls.push(`${request.method()} ${path}`);
    });
    clock.advance(ACCESS_TOKEN_TTL_MS + 60_000);
    // The Security page loads the account and its sessions at once: both fail, one refresh serves both.
    await page.getByRole('link', { name: 'Security' }).click();
    await expectPage(page, 'Security');
    await page.getByText('This session').waitFor();
    expect(calls.filter((call) => call === 'POST /api/v1/auth/refresh')).toHaveLength(1);
    expect(calls.filter((call) => call === 'GET /api/v1/auth/sessions')).toHaveLength(2);
    expect(calls.filter((call) => call === 'GET /api/v1/auth/me')).toHaveLength(2);
    await context.close();
  });

  it('returns to sign-in when the access token expired and the refresh cookie no longer works', async () => {
    const email = uniqueEmail('refresh-fails');
    await registerAccount(baseUrl, email);
    const { context, page } = await dashboard.open();
    await signIn(page, baseUrl, email);
    await context.clearCookies();
    clock.advance(ACCESS_TOKEN_TTL_MS + 60_000);
    await navLink(page, 'Voice logs').click();
    await expectPage(page, 'Sign in');
    await page.getByText('Your session has expired. Please sign in again.').waitFor();
    // Signing in again leads back to the page the user was going to.
    await submitPassword(page, email);
    await expectPage(page, 'Voice logs');
    await context.close();
  });

  it('explains a wrong password, then a locked account with the time left', async () => {
    const email = uniqueEmail('lockout');
    await registerAccount(baseUrl, email);
    const { context, page } = await dashboard.open();
    await page.goto(`${baseUrl}/sign-in`);
    await expectPage(page, 'Sign in');
    await submitPassword(page, email, 'not the password');
    await page.getByRole('alert').getByText('The e-mail address or password is not correct.').waitFor();
    await capture(page, 'sign-in-wrong-password');

    let status = 401;
    for (let attempt = 2; attempt <= 6 && status === 401; attempt += 1) {
      status = (await submitPassword(page, email, 'not the password')).status();
    }
    expect(status).toBe(423);
    await page
      .getByRole('alert')
      .getByText(/This account is locked .* Try again in 30 minutes\./)
      .waitFor();
    await capture(page, 'sign-in-locked');
    await context.close();
  });
});

describe('the dashboard under an IP rate limit', { timeout: 60_000 }, () => {
  const dashboard = useDashboard({ LOGIN_RATE_LIMIT: '2' });

  it('tells the user how long to wait', async () => {
    const { context, page } = await dashboard.open();
    await page.goto(`${dashboard.baseUrl}/sign-in`);
    await expectPage(page, 'Sign in');
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      statuses.push((await submitPassword(page, 'nobody@example.com', 'not the password')).status());
    }
    expect(statuses).toEqual([401, 401, 429]);
    await page
      .getByRole('alert')
      .getByText(/Too many attempts from your network\. Wait \d+ (seconds?|minutes?) before trying again\./)
      .waitFor();
    await capture(page, 'sign-in-rate-limited');
    await context.close();
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
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
  useDashboard,
  WAIT_MS,
} from './harness.js';

const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe('the dashboard in a browser: active sessions', { timeout: 60_000 }, () => {
  const dashboard = useDashboard({ LOGIN_RATE_LIMIT: '1000' });
  let baseUrl: string;
  beforeAll(() => {
    baseUrl = dashboard.baseUrl;
  });

  it('signing out another session from the sessions page sends that browser back to sign-in', async () => {
    const email = uniqueEmail('sessions');
    await registerAccount(baseUrl, email);
    const laptop = await dashboard.open();
    const phone = await dashboard.open({ userAgent: PHONE_UA });
    await signIn(laptop.page, baseUrl, email);
    await signIn(phone.page, baseUrl, email);

    await laptop.page.goto(`${baseUrl}/settings/security`);
    await expectPage(laptop.page, 'Security');
    const sessions = laptop.page.getByRole('listitem').filter({ hasText: 'Signed in' });
    await laptop.page.getByText('Safari on iOS', { exact: true }).waitFor();
    // Three: the sign-up through the API (Node's fetch) started one too.
    expect(await sessions.count()).toBe(3);
    expect(await sessions.filter({ hasText: 'This session' }).textContent()).toMatch(/Chrome on Linux/);
    await capture(laptop.page, 'security');

    await laptop.page.getByRole('button', { name: 'Sign out Safari on iOS session' }).click();
    await laptop.page.getByRole('dialog').getByRole('button', { name: 'Sign it out' }).click();
    await laptop.page.getByText('Signed out Safari on iOS.').waitFor();
    await laptop.page.getByText('Safari on iOS', { exact: true }).waitFor({ state: 'detached' });
    expect(await sessions.count()).toBe(2);

    await navLink(phone.page, 'Voice logs').click();
    await expectPage(phone.page, 'Sign in');
    await phone.page.getByText('Your session has ended').waitFor();
    await phone.page.reload();
    await expectPage(phone.page, 'Sign in');

    // The laptop's own session is untouched.
    await laptop.page.reload();
    await expectPage(laptop.page, 'Security');
    await laptop.context.close();
    await phone.context.close();
  });

  it('changing the password signs the other sessions out; the new password signs in', async () => {
    const email = uniqueEmail('password');
    const newPassword = 'a fresh passphrase for the browser';
    await registerAccount(baseUrl, email);
    const { context, page } = await dashboard.open();
    await signIn(page, baseUrl, email);
    await page.goto(`${baseUrl}/settings/security`);
    await expectPage(page, 'Security');
    const sessions = page.getByRole('listitem').filter({ hasText: 'Signed in' });
    await sessions.filter({ hasText: 'This session' }).waitFor();
    expect(await sessions.count()).toBe(2);

    const form = page.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Current password').fill(PASSWORD);
    await form.getByLabel('New password', { exact: true }).fill(newPassword);
    await form.getByLabel('New password again').fill('something else entirely');
    await form.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('The new passwords do not match.').waitFor();

    await form.getByLabel('New password again').fill(newPassword);
    await form.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. 1 other session was signed out.').waitFor();
    // The list is read again: only this session is left.
    await expect.poll(() => sessions.count(), { timeout: WAIT_MS }).toBe(1);
    expect(await form.getByLabel('Current password').inputValue()).toBe('');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expectPage(page, 'Sign in');
    expect((await submitPassword(page, email)).status()).toBe(401);
    expect((await submitPassword(page, email, newPassword)).status()).toBe(200);
    await expectPage(page, 'Agents');
    await context.close();
  });

  it('"sign out everywhere" ends every session, this one included', async () => {
    const email = uniqueEmail('everywhere');
    await registerAccount(baseUrl, email);
    const { context, page } = await dashboard.open();
    await signIn(page, baseUrl, email);
    await page.goto(`${baseUrl}/settings/security`);
    await expectPage(page, 'Security');
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Sign out everywhere' }).click();
    await expectPage(page, 'Sign in');
    await page.getByText('You have signed out everywhere.').waitFor();
    await page.reload();
    await expectPage(page, 'Sign in');
    await context.close();
  });
});

describe('the dashboard in a browser: confirming the password for a change (step-up)', { timeout: 60_000 }, () => {
  const clock = manualClock();
  const dashboard = useDashboard({ LOGIN_RATE_LIMIT: '1000' }, clock);

  it('asks for the password when the sign-in is too old, then makes the change; another tab keeps working', async () => {
    const baseUrl = dashboard.baseUrl;
    const email = uniqueEmail('step-up');
    await registerAccount(baseUrl, email);
    const { context, page } = await dashboard.open();
    await signIn(page, baseUrl, email);
    const otherTab = await context.newPage();
    await otherTab.goto(`${baseUrl}/agents`);
    await expectPage(otherTab, 'Agents');

    clock.advance(16 * 60_000);
    await navLink(page, 'Settings').click();
    await expectPage(page, 'API keys');
    await page.getByLabel('Name', { exact: true }).fill('Nightly export');
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.getByLabel('Password').fill('not the password');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.getByText('The password is not correct.').waitFor();
    await capture(page, 'step-up-dialog', { fullPage: false });
    await dialog.getByLabel('Password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByTestId('secret-value').textContent()).toMatch(/^latchkey_pat_/);

    // The step-up replaced the session the other tab was using; the shared cookie holds the new one.
    await navLink(otherTab, 'Voice logs').click();
    await expectPage(otherTab, 'Voice logs');
    await context.close();
  });
});

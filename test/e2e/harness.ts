import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Secret, TOTP } from 'otpauth';
import pino from 'pino';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
  type Response,
} from 'playwright-core';
import type { Clock } from '../../src/core/clock.js';
import { DASHBOARD_DIR } from '../../src/http/dashboard.js';
import { PASSWORD } from '../helpers/api.js';
import { loadConfig } from '../../src/config/index.js';
import { createLatchkey } from '../../src/server.js';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { embeddedTarget, type StorageTarget } from '../helpers/targets.js';

/** Every Playwright wait is bounded by this (ms): a hung page fails fast instead of at the test timeout. */
export const WAIT_MS = 5_000;

export const SCREENSHOT_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'mobile', width: 375, height: 812 },
] as const;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    timeout: 20_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface DashboardServer {
  server: TestServer;
  baseUrl: string;
  close(): Promise<void>;
}

/** A real Latchkey on a free loopback port, serving the built dashboard (web/dist). */
export async function startDashboardServer(env: Record<string, string>, clock?: Clock): Promise<DashboardServer> {
  if (!existsSync(`${DASHBOARD_DIR}/index.html`))
    throw new Error(`${DASHBOARD_DIR} is missing: run \`npm run build:web\` first`);
  const target: StorageTarget = embeddedTarget();
  // Errors are logged: a 500 behind a browser click is otherwise invisible.
  const config = loadConfig({ LOG_LEVEL: 'error', PASSWORD_HASH_CONCURRENCY: '4', ...target.env, ...env });
  const latchkey = await createLatchkey(config, { ...(clock ? { clock } : {}), logger: pino({ level: 'error' }) });
  const server: TestServer = { ...latchkey, config };
  const baseUrl = await server.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    server,
    baseUrl,
    async close() {
      await server.close();
      await target.dispose();
    },
  };
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
}

export interface Dashboard {
  readonly baseUrl: string;
  /** The Latchkey behind the dashboard (to look at its stores, or make a part of it fail). */
  readonly server: TestServer;
  /** A fresh browser profile (no cookies) watched for CSP violations and page errors. */
  open(options?: BrowserContextOptions): Promise<OpenedPage>;
  /** What the watch saw since the last test ended; each test must leave it empty. */
  readonly problems: string[];
}

/**
 * For a describe block: a browser and a real Latchkey (`env`, `clock`) for its tests, closed
 * afterwards. After every test, no page may have hit a CSP violation or an uncaught error.
 */
export function useDashboard(env: Record<string, string>, clock?: Clock): Dashboard {
  let browser: Browser | undefined;
  let server: DashboardServer | undefined;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startDashboardServer(env, clock);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  return {
    get baseUrl() {
      if (!server) throw new TypeError('useDashboard: baseUrl is only known inside a test');
      return server.baseUrl;
    },
    get server() {
      if (!server) throw new TypeError('useDashboard: server is only known inside a test');
      return server.server;
    },
    open(options) {
      if (!browser) throw new TypeError('useDashboard: open() is only available inside a test');
      return openPage(browser, problems, options);
    },
    problems,
  };
}

/** A link of the header's main navigation. */
export function navLink(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
}

// Reports violations that happen before any console listener could see them.
const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) =>
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + event.blockedURI));`;

/**
 * A fresh browser profile (no cookies) on the dashboard. CSP violations and uncaught page errors
 * are pushed to `problems`, which the suite asserts empty after every test.
 */
export async function openPage(
  browser: Browser,
  problems: string[],
  options: BrowserContextOptions = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: VIEWPORTS[0], ...options });
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(WAIT_MS);
  await context.addInitScript(REPORT_CSP_VIOLATIONS);
  const page = await context.newPage();
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && /Content Security Policy|CSP violation|Refused to/i.test(text))
      problems.push(text);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { context, page };
}

/**
 * Saves the page at desktop and phone widths: `screenshots/<name>-desktop.png` and `-mobile.png`.
 * `fullPage: false` for an open modal, whose backdrop covers the viewport only.
 */
export async function capture(page: Page, name: string, { fullPage = true } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    await page.screenshot({ path: `${SCREENSHOT_DIR}${name}-${viewport.name}.png`, fullPage, timeout: WAIT_MS });
  }
  await page.setViewportSize({ width: VIEWPORTS[0].width, height: VIEWPORTS[0].height });
}

/** Resolves once the page's h1 reads `title` and holds the focus (it takes it after navigation). */
export async function expectPage(page: Page, title: string): Promise<void> {
  await page
    .getByRole('heading', { level: 1, name: title, exact: true })
    .waitFor({ state: 'visible' })
    .catch(async (error: Error) => {
      const shown = await page
        .locator('body')
        .innerText({ timeout: 1_000 })
        .catch(() => '(unreadable)');
      throw new Error(`expected the "${title}" page at ${page.url()}, the page shows:\n${shown}`, { cause: error });
    });
  // A string: the root tsconfig has no DOM types, and this runs in the page.
  await page.waitForFunction(
    `document.activeElement?.tagName === 'H1' && document.activeElement.textContent === ${JSON.stringify(title)}`,
    undefined,
    {
      timeout: WAIT_MS,
    },
  );
}

/** Fills the first sign-in step, submits it, and returns the server's answer. */
export async function submitPassword(page: Page, email: string, password = PASSWORD): Promise<Response> {
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  const answered = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/v1/auth/login', {
    timeout: WAIT_MS,
  });
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  return answered;
}

/** Opens the dashboard signed out and signs in (an account without two-factor). */
export async function signIn(page: Page, baseUrl: string, email: string): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await expectPage(page, 'Sign in');
  await submitPassword(page, email);
  await expectPage(page, 'Agents');
}

/** Creates an account through the API, as another client would. */
export async function registerAccount(baseUrl: string, email: string): Promise<void> {
  const response = await fetch(`${baseUrl}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${await response.text()}`);
}

/** The code an authenticator app shows for `secret` at the server's time. */
export function totpCode(secret: string, clock: Clock): string {
  return new TOTP({
    secret: Secret.fromBase32(secret.replace(/\s+/g, '')),
    digits: 6,
    period: 30,
    algorithm: 'SHA1',
  }).generate({
    timestamp: clock(),
  });
}

/** A quarter second of a 440 Hz tone: 8 kHz, mono, 16-bit PCM WAV. */
export function wavFile(): Uint8Array {
  const rate = 8000;
  const samples = rate / 4;
  const buffer = Buffer.alloc(44 + samples * 2);
  buffer.write('RIFF', 0, 'ascii');
  buffer.writeUInt32LE(36 + samples * 2, 4);
  buffer.write('WAVEfmt ', 8, 'ascii');
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(rate, 24);
  buffer.writeUInt32LE(rate * 2, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36, 'ascii');
  buffer.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i += 1)
    buffer.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return new Uint8Array(buffer);
}

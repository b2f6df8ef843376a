import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../../../test/helpers/api.js';
import { uniqueEmail } from '../../../test/helpers/server.js';
import { embeddedTarget } from '../../../test/helpers/targets.js';
import { launchBrowser, WAIT_MS } from '../../../test/e2e/harness.js';
import { useListeningServer } from './helpers.js';

const ACCESS_TOKEN_TTL_SECONDS = 2;
const PAGE = '/client-tabs/index.html';
const SCRIPT = '/client-tabs/tab-app.js';

/** Bundles browser/tab-app.ts (the package's source and all) into one ES module, as an app's bundler would. */
async function bundle(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'latchkey-client-tabs-'));
  try {
    await build({
      configFile: false,
      logLevel: 'silent',
      build: {
        outDir,
        minify: false,
        lib: {
          entry: fileURLToPath(new URL('./browser/tab-app.ts', import.meta.url)),
          formats: ['es'],
          fileName: 'tab-app',
        },
      },
    });
    return readFileSync(join(outDir, 'tab-app.js'), 'utf8');
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

describe('@latchkey/client in two tabs of one browser', { timeout: 60_000 }, () => {
  const latchkey = useListeningServer(embeddedTarget, { ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS) });
  let browser: Browser | undefined;
  let script: string;
  beforeAll(async () => {
    script = await bundle();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A tab on the server's origin, so the refresh cookie is the one the server sets; the page itself is served here. */
  async function openTab(context: Awaited<ReturnType<Browser['newContext']>>): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${latchkey.baseUrl}${PAGE}`);
    await page.waitForFunction('globalThis.app !== undefined', undefined, { timeout: WAIT_MS });
    return page;
  }

  it('refreshes once when both tabs find the access token expired, and neither is signed out', async () => {
    const context = await browser!.newContext();
    context.setDefaultTimeout(WAIT_MS);
    const problems: string[] = [];
    await context.route(`${latchkey.baseUrl}/client-tabs/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === SCRIPT) return route.fulfill({ contentType: 'text/javascript', body: script });
      return route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>tab</title><script type="module" src="${SCRIPT}"></script>`,
      });
    });
    context.on('weberror', (error) => problems.push(error.error().message));

    const email = uniqueEmail('tabs');
    const register = await fetch(`${latchkey.baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(register.status).toBe(201);

    const first = await openTab(context);
    expect(await first.evaluate(([e, p]) => (globalThis as any).app.login(e, p), [email, PASSWORD])).toBe('signed-in');
    // The second tab resumes from the shared cookie; the first takes the token it refreshed.
    const second = await openTab(context);
    expect(await second.evaluate(() => (globalThis as any).app.restore())).toBe(true);
    const shared = await second.evaluate(() => (globalThis as any).app.accessToken());
    await expect.poll(() => first.evaluate(() => (globalThis as any).app.accessToken())).toBe(shared);

    const refreshesBefore = latchkey.answered('/api/v1/auth/refresh');
    const reusedBefore = latchkey.answered('/api/v1/auth/me');
    // Past the token's lifetime on both clocks (the server's and the tabs').
    await new Promise((resolve) => setTimeout(resolve, ACCESS_TOKEN_TTL_SECONDS * 1000 + 500));
    const [fromFirst, fromSecond] = await Promise.all([
      first.evaluate(() => (globalThis as any).app.emails(4)),
      second.evaluate(() => (globalThis as any).app.emails(4)),
    ]);
    expect([...fromFirst, ...fromSecond]).toEqual(Array(8).fill(email));
    expect(latchkey.answered('/api/v1/auth/refresh') - refreshesBefore).toBe(1);
    expect(latchkey.answered('/api/v1/auth/me') - reusedBefore).toBeGreaterThanOrEqual(8);
    expect(await first.evaluate(() => (globalThis as any).app.ended)).toEqual([]);
    expect(await second.evaluate(() => (globalThis as any).app.ended)).toEqual([]);
    const renewed = await first.evaluate(() => (globalThis as any).app.accessToken());
    expect(renewed).not.toBe(shared);
    expect(await second.evaluate(() => (globalThis as any).app.accessToken())).toBe(renewed);
    expect(problems).toEqual([]);
    await context.close();
  });
});

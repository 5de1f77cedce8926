/**
 * Headless Chromium for the page tests: the Debian browser at /usr/bin/chromium (never a
 * download), the page built once per test process, and the evidence a hostile payload would
 * leave (dialogs, navigations, off-origin requests, page errors, CSP reports).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const webDir = join(packageDir, 'dist', 'web');
export const screenshotDir = join(packageDir, 'test-results', 'screenshots');

let built = false;
/** Builds dist/web (esbuild, well under a second) once per test process. */
export function buildWeb(): void {
  if (built) return;
  execFileSync(process.execPath, [join(packageDir, 'scripts', 'build-web.mjs')], { stdio: 'pipe' });
  built = true;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface ChatPage {
  page: Page;
  context: BrowserContext;
  /** Messages of every alert/confirm/prompt any page of the context opened. */
  dialogs: string[];
  /** Uncaught errors and console errors (CSP violations land here). */
  errors: string[];
  /** Requests that left 127.0.0.1 (they are aborted: the network is loopback only). */
  offOrigin: string[];
  /** Every URL any page of the context requested. */
  requested: string[];
  /** Main-frame navigations of the chat page after it first loaded. */
  navigations: string[];
}

export async function openChat(
  browser: Browser,
  url: string,
  viewport = { width: 1024, height: 800 },
): Promise<ChatPage> {
  const context = await browser.newContext({ viewport });
  const result: ChatPage = {
    page: await context.newPage(),
    context,
    dialogs: [],
    errors: [],
    offOrigin: [],
    requested: [],
    navigations: [],
  };
  const origin = new URL(url).origin;
  await context.route('**/*', async (route) => {
    const target = route.request().url();
    result.requested.push(target);
    if (target.startsWith(origin)) await route.continue();
    else {
      result.offOrigin.push(target);
      await route.abort();
    }
  });
  const watch = (p: Page): void => {
    p.on('dialog', (d) => {
      result.dialogs.push(d.message());
      void d.dismiss();
    });
    p.on('pageerror', (e) => result.errors.push(e.message));
    p.on('console', (m) => {
      if (m.type() === 'error') result.errors.push(m.text());
    });
  };
  watch(result.page);
  context.on('page', (p) => {
    if (p !== result.page) watch(p);
  });
  await result.page.goto(url);
  result.page.on('framenavigated', (frame) => {
    if (frame === result.page.mainFrame()) result.navigations.push(frame.url());
  });
  return result;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/**
 * The chat page with sign-in (CHAT_OIDC_ISSUER) in headless Chromium, end to end against a real
 * OpenID Connect provider (`oidc-provider`) on loopback: page → provider → back → chat works →
 * header shows who → sign out (at the provider too) → refused. Screenshots desktop and 390x844.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { buildWeb, launchChromium, screenshot, webDir } from '../support/browser.js';
import { AUDIENCE, startTestProvider, type TestProvider } from '../support/oidc-test-provider.js';

let browser: Browser;
let idp: TestProvider;
let gw: LocalGateway;
let dataDir: string;

beforeAll(async () => {
  buildWeb();
  idp = await startTestProvider();
  dataDir = mkdtempSync(join(tmpdir(), 'chat-web-oidc-'));
  [browser, gw] = await Promise.all([
    launchChromium(),
    startLocalGateway({
      env: {
        CHAT_OIDC_ISSUER: idp.issuer,
        CHAT_OIDC_CLIENT_ID: 'gateway',
        CHAT_OIDC_AUDIENCE: AUDIENCE,
      },
      dataDir,
      host: '127.0.0.1',
      port: '0',
      webRoot: webDir,
      inMemory: true,
      cleanupIntervalMs: false,
      warmUp: false,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    }),
  ]);
  idp.setGatewayUrl(gw.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await idp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('chat page with OpenID Connect sign-in', () => {
  for (const viewport of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`signs in at the provider, chats, shows who, signs out and is refused (${viewport.name})`, async () => {
      idp.nextUser = 'alice';
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        // The page loads, is refused, goes to the provider, which signs alice in and sends her back.
        await page.goto(`${gw.url}/`);
        await expect
          .poll(() => page.locator('#account [data-part="name"]').textContent(), {
            timeout: 20_000,
          })
          .toBe('Alice Example');
        expect(new URL(page.url()).origin).toBe(gw.url);
        await expect.poll(() => page.locator('#model-banner').isVisible()).toBe(true);

        await page.locator('#input').fill('How do I roll back a deployment?');
        await page.locator('#input').press('Enter');
        const answer = page.locator('#log .msg-assistant').first();
        await answer.waitFor();
        await expect.poll(() => answer.getAttribute('aria-busy'), { timeout: 20_000 }).toBeNull();
        expect(await page.locator('#account [data-part="signout"]').isVisible()).toBe(true);
        const shot = await screenshot(page, `oidc-signed-in-${viewport.name}`);
        copyFileSync(shot, `/tmp/oidc-signed-in-${viewport.name}.png`);

        // Sign out: the gateway forgets the browser, the provider ends its session, the page
        // comes back refused and offers "Sign in" (no automatic redirect loop).
        await page.locator('#account [data-part="signout"]').click();
        await expect
          .poll(() => page.locator('#account [data-part="signin"]').isVisible(), {
            timeout: 20_000,
          })
          .toBe(true);
        expect(new URL(page.url()).origin).toBe(gw.url);
        expect(await page.locator('#account [data-part="name"]').isVisible()).toBe(false);
        // The banner follows the refused reconnect, which can land after the sign-in link shows.
        await expect
          .poll(() => page.locator('#connection-banner').textContent(), { timeout: 20_000 })
          .toContain('Sign in to use the chat.');
        const cookies = await context.cookies(gw.url);
        expect(cookies.find((c) => c.name === 'chat_session')).toBeUndefined();
        const me = await page.evaluate(async () => (await fetch('/auth/me')).status);
        expect(me).toBe(401);
        const check = await page.evaluate(async () => (await fetch('/auth-check')).status);
        expect(check).toBe(401);
        const shotOut = await screenshot(page, `oidc-signed-out-${viewport.name}`);
        copyFileSync(shotOut, `/tmp/oidc-signed-out-${viewport.name}.png`);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }, 90_000);
  }
});

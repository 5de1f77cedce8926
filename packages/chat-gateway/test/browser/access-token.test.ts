import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { buildWeb, launchChromium, openChat, webDir } from '../support/browser.js';

describe('chat page with CHAT_AUTH_TOKEN set (real gateway, headless Chromium)', () => {
  let browser: Browser;
  let gw: LocalGateway;
  let dataDir: string;
  beforeAll(async () => {
    buildWeb();
    dataDir = mkdtempSync(join(tmpdir(), 'chat-token-'));
    gw = await startLocalGateway({
      dataDir,
      port: '0',
      env: { CHAT_AUTH_TOKEN: 'page-token-42' },
      webRoot: webDir,
      logger: silentLogger,
      inMemory: true,
      cleanupIntervalMs: false,
    });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('connects with the token from #token=, then drops it from the address bar and keeps it for reloads', async () => {
    const chat = await openChat(browser, `${gw.url}/#token=page-token-42`);
    const say = async (text: string, nth: number): Promise<string> => {
      await chat.page.locator('#model-banner').waitFor();
      await chat.page.locator('#input').fill(text);
      await chat.page.locator('#input').press('Enter');
      const answer = chat.page.locator('#log .msg-assistant').nth(nth);
      await expect
        .poll(() => answer.textContent(), { timeout: 20_000 })
        .toMatch(/without a language model/);
      return chat.page.url();
    };
    expect(await say('hello', 0)).not.toContain('page-token-42');
    await chat.page.reload();
    await say('thanks', 1);
    await chat.context.close();
  });

  it('without a token the page asks for one (401 from /auth-check), keeps it for the tab and connects', async () => {
    await expect.poll(() => gw.gateway.connectionCount).toBe(0);
    const chat = await openChat(browser, `${gw.url}/`, { width: 390, height: 844 });
    const form = chat.page.locator('#token-form');
    await expect.poll(() => form.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await form.textContent()).toMatch(
      /needs an access token.*Enter the access token \(CHAT_AUTH_TOKEN/s,
    );
    // No endless "Reconnecting" loop behind the form.
    expect(await chat.page.locator('#connection-banner').isHidden()).toBe(true);
    await chat.page.screenshot({ path: '/tmp/page-ux-token-390.png' });

    await form.locator('input').fill('not-the-token');
    await form.locator('input').press('Enter');
    await expect
      .poll(() => form.locator('[data-part=text]').textContent(), { timeout: 15_000 })
      .toMatch(/not accepted/);
    expect(await form.isVisible()).toBe(true);
    expect(gw.gateway.connectionCount).toBe(0);

    await form.locator('input').fill('page-token-42');
    await form.getByRole('button', { name: 'Connect' }).click();
    await chat.page.locator('#model-banner').waitFor({ timeout: 15_000 });
    expect(await form.isHidden()).toBe(true);
    expect(await chat.page.evaluate("sessionStorage.getItem('chat.accessToken')")).toBe(
      'page-token-42',
    );
    await chat.page.reload();
    await chat.page.locator('#model-banner').waitFor({ timeout: 15_000 });
    expect(await form.isHidden()).toBe(true);
    await chat.context.close();
  });
});

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

  it('without the token the socket is refused and the page says the connection is lost', async () => {
    await expect.poll(() => gw.gateway.connectionCount).toBe(0);
    const chat = await openChat(browser, `${gw.url}/`);
    await expect
      .poll(() => chat.page.locator('#connection-banner').isVisible(), { timeout: 15_000 })
      .toBe(true);
    expect(gw.gateway.connectionCount).toBe(0);
    await chat.context.close();
  });
});

/**
 * A teammate opens the chat at this machine's LAN address (gateway bound to 0.0.0.0 with
 * --no-auth): the page's origin is the address the gateway serves, so it connects instead of
 * reconnecting forever. Real gateway, headless Chromium; runs where the machine has a LAN
 * interface (the page is still fetched from this machine).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { buildWeb, launchChromium, openChat, webDir } from '../support/browser.js';

const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe.skipIf(lanAddress === undefined)(
  'chat page opened at the LAN address of a gateway bound to 0.0.0.0 (needs a LAN interface)',
  () => {
    let browser: Browser;
    let gw: LocalGateway;
    let dataDir: string;
    beforeAll(async () => {
      buildWeb();
      dataDir = mkdtempSync(join(tmpdir(), 'chat-lan-'));
      gw = await startLocalGateway({
        dataDir,
        host: '0.0.0.0',
        port: '0',
        env: { CHAT_ALLOW_NO_AUTH: 'true', CHAT_TITLE: 'Team chat' },
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

    it('connects (same-origin at the served address) and shows the CHAT_TITLE', async () => {
      const port = new URL(gw.url).port;
      const chat = await openChat(browser, `http://${lanAddress}:${port}/`);
      await chat.page.locator('#model-banner').waitFor({ timeout: 15_000 });
      expect(gw.gateway.connectionCount).toBe(1);
      expect(await chat.page.title()).toBe('Team chat');
      expect(await chat.page.locator('#connection-banner').isHidden()).toBe(true);
      await chat.context.close();
    });
  },
);

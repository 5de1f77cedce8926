/**
 * The page opened at the address the gateway serves, which is not one of the default loopback
 * names: its origin is that address, so it connects instead of reconnecting forever. Real
 * gateway, headless Chromium. The address is 127.0.0.2 (a loopback-range address that is not
 * `localhost`/`127.0.0.1`): tests send traffic to loopback only, and the rule is the same one a
 * LAN address takes (the Host equals the bound address).
 */
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

const servedAddress = '127.0.0.2';

describe('chat page opened at the address the gateway is bound to (127.0.0.2)', () => {
  let browser: Browser;
  let gw: LocalGateway;
  let dataDir: string;
  beforeAll(async () => {
    buildWeb();
    dataDir = mkdtempSync(join(tmpdir(), 'chat-lan-'));
    gw = await startLocalGateway({
      dataDir,
      host: servedAddress,
      port: '0',
      env: { CHAT_TITLE: 'Team chat' },
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
    const chat = await openChat(browser, `http://${servedAddress}:${port}/`);
    await chat.page.locator('#model-banner').waitFor({ timeout: 15_000 });
    expect(gw.gateway.connectionCount).toBe(1);
    expect(await chat.page.title()).toBe('Team chat');
    expect(await chat.page.locator('#connection-banner').isHidden()).toBe(true);
    await chat.context.close();
  });
});

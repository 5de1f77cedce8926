/**
 * The page as the CDK app hosts it: static files from one origin (a tiny static server here,
 * CloudFront there) with a `config.json` naming a WebSocket on ANOTHER origin, and the CSP
 * widened to that origin as the CloudFront response headers policy does. Against the real
 * local gateway on another loopback port, and against the LOCAL API Gateway WebSocket
 * EMULATOR running the Lambda handlers (token asked for, as `auth: "token"` says).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { silentLogger } from 'chatbot-mcp-server/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { AUTH_TOKEN } from '../support/apigw-aws-path.js';
import { useHostedAwsPage } from '../support/hosted-aws-page.js';
import { converseText, converseRoute } from '../support/fake-bedrock-converse-server.js';
import { join } from 'node:path';
import { startHostedSite, type HostedSite } from '../support/hosted-site.js';
import { buildWeb, launchChromium, openChat } from '../support/browser.js';

describe('hosted page: config.json points the page at a WebSocket on another origin (headless Chromium)', () => {
  let browser: Browser;
  let site: HostedSite;
  let gw: LocalGateway;
  let dataDir: string;
  beforeAll(async () => {
    buildWeb();
    site = await startHostedSite();
    dataDir = mkdtempSync(join(tmpdir(), 'chat-hosted-'));
    gw = await startLocalGateway({
      dataDir,
      port: '0',
      host: '127.0.0.1',
      env: { CHAT_ALLOWED_ORIGINS: site.origin, CHAT_TITLE: '' },
      webRoot: false,
      logger: silentLogger,
      inMemory: true,
      cleanupIntervalMs: false,
    });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await site?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("connects to config.json's webSocketUrl (the local gateway on another port) and chats; config.json is fetched uncached; its title is shown", async () => {
    const wsUrl = `${gw.url.replace(/^http/, 'ws')}/ws`;
    site.config = { webSocketUrl: wsUrl, title: 'Hosted chat', auth: 'none', later: { x: 1 } };
    site.connectSrc = [new URL(wsUrl).origin];
    const chat = await openChat(browser, `${site.origin}/`);
    const sockets: string[] = [];
    chat.page.on('websocket', (ws) => sockets.push(ws.url()));
    await chat.page.locator('#model-banner').waitFor({ timeout: 20_000 });
    await chat.page.locator('#input').fill('hello');
    await chat.page.locator('#input').press('Enter');
    await expect
      .poll(() => chat.page.locator('#log .msg-assistant').first().textContent(), {
        timeout: 20_000,
      })
      .toMatch(/without a language model/);
    expect(await chat.page.evaluate('window.__chat.socket?.url')).toBe(wsUrl);
    expect(site.requests).toContain('GET /config.json no-cache');
    expect(await chat.page.title()).toBe('Hosted chat');
    expect(chat.errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    expect(gw.gateway.connectionCount).toBe(1);
    void sockets;
    await chat.context.close();
  });

  it('without config.json (404) the page uses /ws on its own origin', async () => {
    site.config = undefined;
    const chat = await openChat(browser, `${site.origin}/`);
    const sockets: string[] = [];
    chat.page.on('websocket', (ws) => sockets.push(ws.url()));
    await expect
      .poll(() => sockets[0], { timeout: 15_000 })
      .toBe(`${site.origin.replace(/^http/, 'ws')}/ws`);
    await chat.context.close();
  });

  it('a config.json with a wrong webSocketUrl is not used: the page says what is wrong', async () => {
    site.config = { webSocketUrl: 'https://elsewhere.example/ws' };
    const chat = await openChat(browser, `${site.origin}/`);
    const banner = chat.page.locator('#connection-banner');
    await expect
      .poll(() => banner.textContent(), { timeout: 15_000 })
      .toMatch(/webSocketUrl must be a ws:\/\/ or wss:\/\/ URL/);
    expect(await chat.page.evaluate('window.__chat.socket')).toBeNull();
    await chat.context.close();
  });
});

describe('hosted page against the LOCAL API Gateway WebSocket EMULATOR (Lambda handlers, token authorizer; headless Chromium)', () => {
  const hosted = useHostedAwsPage();

  it('asks for the token before connecting, re-asks after a wrong one, then chats through the API', async () => {
    const chat = await openChat(hosted.browser, `${hosted.site.origin}/`);
    const form = chat.page.locator('#token-form');
    await expect.poll(() => form.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await form.textContent()).toMatch(/Secrets Manager/);
    expect(hosted.aws.apigw.connected).toEqual([]);

    await form.locator('input').fill('not-the-token');
    await form.locator('input').press('Enter');
    await expect
      .poll(() => form.locator('[data-part=text]').textContent(), { timeout: 20_000 })
      .toMatch(/not accepted/);
    expect(hosted.aws.apigw.connected).toEqual([]);

    hosted.aws.bedrock.enqueue(converseRoute('general'), {
      items: converseText(['Hello from Bedrock.']),
    });
    await form.locator('input').fill(AUTH_TOKEN);
    await form.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => hosted.aws.apigw.connected.length, { timeout: 20_000 }).toBe(1);
    await chat.page.locator('#input').fill('hello');
    await chat.page.locator('#input').press('Enter');
    await expect
      .poll(() => chat.page.locator('#log .msg-assistant').first().textContent(), {
        timeout: 30_000,
      })
      .toMatch(/Hello from Bedrock\./);
    expect(await chat.page.evaluate('window.__chat.socket?.url')).toBe(
      `${hosted.aws.apigw.wsUrl}?token=${AUTH_TOKEN}`,
    );
    expect(chat.errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await chat.context.close();
  });
});

/**
 * The page as the CDK app hosts it: static files from one origin (a tiny static server here,
 * CloudFront there) with a `config.json` naming a WebSocket on ANOTHER origin, and the CSP
 * widened to that origin as the CloudFront response headers policy does. Against the real
 * local gateway on another loopback port, and against the LOCAL API Gateway WebSocket
 * EMULATOR running the Lambda handlers (token asked for, as `auth: "token"` says).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { silentLogger } from 'chatbot-mcp-server/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { AUTH_TOKEN, startAwsPath, type AwsPath } from '../support/apigw-aws-path.js';
import {
  converseEnd,
  converseText,
  converseToolUse,
} from '../support/fake-bedrock-converse-server.js';
import { buildWeb, launchChromium, openChat, webDir } from '../support/browser.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

interface StaticSite {
  origin: string;
  /** The config.json to serve; undefined: 404, as a host without one. */
  config: unknown;
  /** Origins added to connect-src (CloudFront: the WebSocket API's). */
  connectSrc: string[];
  requests: string[];
  close(): Promise<void>;
}

async function startStaticSite(): Promise<StaticSite> {
  const site: StaticSite = {
    origin: '',
    config: undefined,
    connectSrc: [],
    requests: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    site.requests.push(`${req.method} ${path} ${req.headers['cache-control'] ?? ''}`);
    const csp = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      `connect-src 'self' ${site.connectSrc.join(' ')}`,
      "frame-ancestors 'none'",
    ].join('; ');
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'content-type': type, 'content-security-policy': csp });
      res.end(body);
    };
    if (path === '/config.json') {
      if (site.config === undefined) return send(404, 'text/plain', 'not found');
      return send(200, 'application/json', JSON.stringify(site.config));
    }
    const file = path === '/' ? 'index.html' : path.slice(1);
    if (!/^[a-z]+\.(html|js|css)$/.test(file)) return send(404, 'text/plain', 'not found');
    readFile(join(webDir, file)).then(
      (body) => send(200, TYPES[extname(file)]!, body),
      () => send(404, 'text/plain', 'not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return site;
}

describe('hosted page: config.json points the page at a WebSocket on another origin (headless Chromium)', () => {
  let browser: Browser;
  let site: StaticSite;
  let gw: LocalGateway;
  let dataDir: string;
  beforeAll(async () => {
    buildWeb();
    site = await startStaticSite();
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

/** The router's structured decision, as the fake model streams it. */
const route = (routeName: string) => ({
  items: [
    { event: 'messageStart', body: { role: 'assistant' } },
    ...converseToolUse(0, 'route-1', 'choose_route', [
      JSON.stringify({ route: routeName, reason: 'scripted' }),
    ]),
    ...converseEnd('tool_use'),
  ],
});

describe('hosted page against the LOCAL API Gateway WebSocket EMULATOR (Lambda handlers, token authorizer; headless Chromium)', () => {
  let browser: Browser;
  let site: StaticSite;
  let aws: AwsPath;
  beforeAll(async () => {
    buildWeb();
    site = await startStaticSite();
    // As the CDK app writes it: the stage URL, and "a token is needed".
    aws = await startAwsPath({ env: { CHAT_ALLOWED_ORIGINS: site.origin } });
    site.config = { webSocketUrl: aws.apigw.wsUrl, auth: 'token' };
    site.connectSrc = [new URL(aws.apigw.wsUrl).origin];
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await aws?.close();
    await site?.close();
  });

  it('asks for the token before connecting, re-asks after a wrong one, then chats through the API', async () => {
    const chat = await openChat(browser, `${site.origin}/`);
    const form = chat.page.locator('#token-form');
    await expect.poll(() => form.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await form.textContent()).toMatch(/Secrets Manager/);
    expect(aws.apigw.connected).toEqual([]);

    await form.locator('input').fill('not-the-token');
    await form.locator('input').press('Enter');
    await expect
      .poll(() => form.locator('[data-part=text]').textContent(), { timeout: 20_000 })
      .toMatch(/not accepted/);
    expect(aws.apigw.connected).toEqual([]);

    aws.bedrock.enqueue(route('general'), { items: converseText(['Hello from Bedrock.']) });
    await form.locator('input').fill(AUTH_TOKEN);
    await form.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => aws.apigw.connected.length, { timeout: 20_000 }).toBe(1);
    await chat.page.locator('#input').fill('hello');
    await chat.page.locator('#input').press('Enter');
    await expect
      .poll(() => chat.page.locator('#log .msg-assistant').first().textContent(), {
        timeout: 30_000,
      })
      .toMatch(/Hello from Bedrock\./);
    expect(await chat.page.evaluate('window.__chat.socket?.url')).toBe(
      `${aws.apigw.wsUrl}?token=${AUTH_TOKEN}`,
    );
    expect(chat.errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await chat.context.close();
  });
});

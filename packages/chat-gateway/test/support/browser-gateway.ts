/**
 * The REAL gateway for browser tests: the local composition root (MCP server in-process,
 * embedded stores) on a temporary data dir, serving the built page from dist/web; by default the
 * offline engine with examples/docs ingested, or a given model. `useBrowserGateway` registers a
 * suite's hooks: Chromium and the gateway started once, each test's pages closed after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ChatModel } from '../../src/ports/chat-model.js';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import {
  buildWeb,
  launchChromium,
  openChat,
  packageDir,
  webDir,
  type ChatPage,
} from './browser.js';

export const EXAMPLE_DOCS = join(packageDir, '..', '..', 'examples', 'docs');

export interface BrowserGateway {
  gateway: LocalGateway;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export interface BrowserGatewayOptions {
  /** The chat model; none: the offline engine, with examples/docs ingested. */
  model?: ChatModel;
}

export async function startBrowserGateway(
  options: BrowserGatewayOptions = {},
): Promise<BrowserGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-web-'));
  // An empty env: no model provider from the machine's environment.
  const gateway = await startLocalGateway({
    dataDir,
    port: '0',
    host: '127.0.0.1',
    env: {},
    webRoot: webDir,
    ...(options.model ? { model: options.model } : { seedDocsDir: EXAMPLE_DOCS }),
    cleanupIntervalMs: false,
    logger: silentLogger,
  });
  return {
    gateway,
    url: `${gateway.url}/`,
    dataDir,
    async close() {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BrowserGatewaySuite {
  readonly browser: Browser;
  readonly gw: BrowserGateway;
  /** A new browser context on the page, closed after the test. */
  open(viewport?: { width: number; height: number }): Promise<ChatPage>;
}

/** Registers the suite's hooks; the returned object's fields are set once `beforeAll` ran. */
export function useBrowserGateway(options: BrowserGatewayOptions = {}): BrowserGatewaySuite {
  let browser: Browser | undefined;
  let gw: BrowserGateway | undefined;
  const pages: ChatPage[] = [];
  beforeAll(async () => {
    buildWeb();
    [browser, gw] = await Promise.all([launchChromium(), startBrowserGateway(options)]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });
  afterEach(async () => {
    for (const p of pages.splice(0)) await p.context.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useBrowserGateway: used before beforeAll ran');
    return value;
  };
  return {
    get browser() {
      return started(browser);
    },
    get gw() {
      return started(gw);
    },
    async open(viewport) {
      const chat = await openChat(started(browser), started(gw).url, viewport);
      pages.push(chat);
      return chat;
    },
  };
}

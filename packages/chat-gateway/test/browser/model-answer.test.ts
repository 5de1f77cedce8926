/**
 * An answer from a language model on the page: the REAL gateway with its model adapter talking
 * to a local HTTP server that speaks streamed OpenAI chat completions (and reports usage, as
 * `stream_options.include_usage` asks), in headless Chromium. Markdown tables and code render
 * (code with a working Copy button), hostile markup stays text, and the tokens the model
 * reported show under the answer and count in the day's stats.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summariseDay } from '../../src/analytics/daily-stats.js';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { buildWeb, launchChromium, openChat, screenshot, webDir } from '../support/browser.js';
import {
  chunk,
  openAiToolCalls,
  startFakeOpenAiServer,
  usageChunk,
  type FakeOpenAiServer,
} from '../support/fake-openai-server.js';

const route = (r: string) =>
  openAiToolCalls([
    { id: 'r', name: 'choose_route', fragments: [JSON.stringify({ route: r, reason: 'x' })] },
  ]);

const ANSWER = [
  'Here are the **limits**:\n\n',
  '| Plan | Requests |\n|---|---:|\n| Free | 100 |\n| Team | 5000 |\n\n',
  'Run this:\n\n```bash\nbeacon release rollback --to previous\n```\n\n',
  'And <img src=x onerror="alert(1)"> stays text.',
];

let browser: Browser;
let fake: FakeOpenAiServer;
let gw: LocalGateway;
let dataDir: string;

beforeAll(async () => {
  buildWeb();
  dataDir = mkdtempSync(join(tmpdir(), 'chat-web-model-'));
  fake = await startFakeOpenAiServer();
  [browser, gw] = await Promise.all([
    launchChromium(),
    startLocalGateway({
      env: { OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'scripted' },
      dataDir,
      port: '0',
      host: '127.0.0.1',
      logger: silentLogger,
      webRoot: webDir,
      cleanupIntervalMs: false,
    }),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await fake?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a model answer on the page (local server speaking streamed OpenAI chat completions)', () => {
  it('renders a table and code with Copy, keeps markup inert, and shows the reported tokens', async () => {
    fake.enqueue(
      // The router's call reports 11 in / 4 out (usageChunk's default)...
      { items: route('general') },
      // ...and the answer 120 in / 30 out: the answer shows the turn's sum.
      {
        items: [
          chunk({ role: 'assistant', content: '' }),
          ...ANSWER.map((content) => chunk({ content })),
          chunk({}, 'stop'),
          usageChunk(120, 30),
        ],
      },
    );
    const chat = await openChat(browser, `${gw.url}/`);
    await chat.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: gw.url,
    });
    const { page } = chat;
    await page.locator('#input').fill('What are the limits?');
    await page.locator('#input').press('Enter');
    const answer = page.locator('#log .msg-assistant').first();
    await expect.poll(() => answer.getAttribute('aria-busy'), { timeout: 20_000 }).toBeNull();

    // The request asked for usage in the stream.
    expect(fake.requests.at(-1)?.body['stream_options']).toEqual({ include_usage: true });
    expect(await answer.locator('.usage').textContent()).toBe('131 tokens in · 34 out');

    expect(await answer.locator('.msg-body table th').allTextContents()).toEqual([
      'Plan',
      'Requests',
    ]);
    expect(await answer.locator('.msg-body table td').count()).toBe(4);
    const code = answer.locator('.msg-body pre code');
    expect(await code.textContent()).toBe('beacon release rollback --to previous\n');
    await answer.locator('.msg-body button.copy-code').click();
    await expect.poll(() => answer.locator('button.copy-code').textContent()).toBe('Copied');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(
      'beacon release rollback --to previous\n',
    );
    expect(await answer.locator('.msg-body img').count()).toBe(0);
    expect(await answer.locator('.msg-body').textContent()).toContain('<img src=x onerror=');
    expect(chat.dialogs).toEqual([]);
    expect(chat.offOrigin).toEqual([]);
    await screenshot(page, 'model-answer-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'model-answer-mobile');

    // Stored with the answer and counted in the day's stats.
    const sessionId = (
      JSON.parse(String(await page.evaluate('sessionStorage.getItem("chat.session")'))) as {
        sessionId: string;
      }
    ).sessionId;
    const [stored] = await gw.store.listMessages(sessionId, { limit: 1 });
    expect(stored?.usage).toEqual({ inputTokens: 131, outputTokens: 34 });
    await expect
      .poll(
        async () => (await summariseDay(gw.store, new Date().toISOString().slice(0, 10))).tokens,
      )
      .toEqual({ input: 131, output: 34 });
    await chat.context.close();
  });
});

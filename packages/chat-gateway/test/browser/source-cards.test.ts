/**
 * Source cards against the protocol harness (scripted frames, not the real gateway): a cited
 * passage with a fenced code block shows the code as code, line by line, without its fence
 * markers, on a desktop and a phone; a one-line snippet stored before line breaks were kept
 * loses its markers too. Screenshots: test-results/screenshots/source-cards-*.png.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, launchChromium, openChat, screenshot, webDir } from '../support/browser.js';
import { playAnswer, startProtocolHarness } from '../support/protocol-harness.js';

const CODE_SNIPPET = [
  'Install the command line tool, then create the index:',
  '```sh',
  'npm install -g chatbot-mcp-server',
  'chatbot-mcp-server ingest --data-dir ./data ./docs',
  '```',
  'The index is kept next to the records.',
].join('\n');
const FLAT_SNIPPET = 'Run it: ```sh chatbot-gateway --port 0 ``` and open the page.';

let browser: Browser;
beforeAll(async () => {
  buildWeb();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('source cards show a cited code block as code', () => {
  it.each([
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ])(
    '%s',
    async (name, viewport) => {
      const harness = await startProtocolHarness(webDir);
      const chat = await openChat(browser, harness.url, viewport);
      try {
        const conn = await harness.connection(0);
        const from = conn.received.length;
        await chat.page.locator('#input').fill('How do I build the index?');
        await chat.page.locator('#input').press('Enter');
        const { id } = await conn.next('message', from);
        const messageId = playAnswer(conn, id, {
          deltas: ['Install the tool and ingest the folder [1]. Then start the gateway [2].'],
          sources: [
            { n: 1, source: 'setup.md', title: 'Setup', snippet: CODE_SNIPPET, score: 0.9 },
            { n: 2, source: 'run.md', snippet: FLAT_SNIPPET, score: 0.7 },
          ],
        });
        const cards = chat.page.locator(`article[data-message-id="${messageId}"] .source`);
        await expect.poll(() => cards.count()).toBe(2);

        const first = cards.nth(0);
        expect(await first.locator('pre.source-code').count()).toBe(1);
        expect(await first.locator('pre.source-code').innerText()).toBe(
          'npm install -g chatbot-mcp-server\nchatbot-mcp-server ingest --data-dir ./data ./docs',
        );
        expect(await first.locator('.source-text').allInnerTexts()).toEqual([
          'Install the command line tool, then create the index:',
          'The index is kept next to the records.',
        ]);
        const second = cards.nth(1);
        expect(await second.locator('.source-snippet').innerText()).toBe(
          'Run it: chatbot-gateway --port 0 and open the page.',
        );
        for (const card of [first, second]) expect(await card.innerText()).not.toMatch(/```|~~~/);

        // The code wraps inside its card: nothing sticks out past the answer on a phone.
        const overflow = await first.evaluate((el) => el.scrollWidth - el.clientWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        await first.scrollIntoViewIfNeeded();
        await screenshot(chat.page, `source-cards-${name}`);
        // The harness serves no config.json or auth endpoints (404s); nothing else may fail.
        expect(chat.errors.filter((e) => !e.includes('status of 404'))).toEqual([]);
      } finally {
        await chat.context.close();
        await harness.close();
      }
    },
    60_000,
  );
});

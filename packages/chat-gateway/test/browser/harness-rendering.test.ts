/**
 * The chat page against the protocol harness (scripted frames, not the real gateway): Markdown,
 * citations, tool calls, the approval dialog and the XSS corpus, in headless Chromium.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildWeb,
  launchChromium,
  openChat,
  screenshot,
  webDir,
  type ChatPage,
} from '../support/browser.js';
import { clickEverything, findLiveMarkup, XSS_CORPUS } from '../support/browser-xss.js';
import {
  playAnswer,
  startProtocolHarness,
  type HarnessConnection,
  type ProtocolHarness,
} from '../support/protocol-harness.js';

let browser: Browser;
let harness: ProtocolHarness;
let chat: ChatPage;
let conn: HarnessConnection;

beforeAll(async () => {
  buildWeb();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  harness = await startProtocolHarness(webDir, {
    notice: 'No language model configured: set CHAT_MODEL.',
  });
  chat = await openChat(browser, harness.url);
  conn = await harness.connection(0);
});
afterEach(async () => {
  await chat.context.close();
  await harness.close();
});

async function ask(text: string): Promise<string> {
  const from = conn.received.length;
  await chat.page.locator('#input').fill(text);
  await chat.page.locator('#input').press('Enter');
  return (await conn.next('message', from)).id;
}

describe('chat page, protocol harness (scripted frames, not the real gateway)', () => {
  it('shows the offline-engine banner with the notice from the session frame', async () => {
    const banner = chat.page.locator('#model-banner');
    await expect.poll(() => banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toContain('set CHAT_MODEL');
  });

  it('streams Markdown, shows the route, links [n] to its source card and focuses the card on click', async () => {
    const id = await ask('What is the incident policy?');
    expect(id).toMatch(/^[A-Za-z0-9_.:-]{1,128}$/);
    const messageId = playAnswer(conn, id, {
      deltas: ['**Sev1** incidents ', 'page the on-call [1].', '\n\n- first\n- second [2]'],
      sources: [
        {
          n: 1,
          source: 'incident-policy.md',
          title: 'Incident policy',
          snippet: 'Sev1 pages the on-call.',
          score: 0.91,
        },
        { n: 2, source: 'faq.txt', snippet: 'A list.', score: 0.5 },
      ],
    });
    const answer = chat.page.locator(`article[data-message-id="${messageId}"]`);
    await expect.poll(() => answer.locator('.msg-body strong').textContent()).toBe('Sev1');
    expect(await answer.locator('.route').textContent()).toBe('RAG');
    expect(await answer.locator('.msg-body li').count()).toBe(2);
    expect(await answer.locator('.source').count()).toBe(2);
    expect(await answer.locator('.source').first().textContent()).toContain('Incident policy');
    expect(await answer.locator('.source').first().textContent()).toContain('0.91');

    await answer.locator('a.cite', { hasText: '[1]' }).click();
    const focusedId = await chat.page.evaluate(
      'document.activeElement && document.activeElement.id',
    );
    expect(focusedId).toBe(`src-${messageId}-1`);
    expect(chat.page.url()).toBe(harness.url);
  });

  it('shows tool calls with input and result as text, and asks for approval in a dialog', async () => {
    const id = await ask('/call delete_record {"table":"notes","key":{"id":"1"}}');
    const messageId = 'm-tool-1';
    conn.send({
      type: 'start',
      messageId,
      replyTo: id,
      queryType: 'mcp_tool',
      reason: 'a /call command',
    });
    conn.send({
      type: 'tool-call',
      messageId,
      toolCallId: 't1',
      toolName: 'read_record',
      input: { table: 'notes' },
    });
    conn.send({
      type: 'tool-result',
      messageId,
      toolCallId: 't1',
      isError: false,
      output: { html: '<b>not bold</b>' },
      text: '<b>not bold</b>',
    });
    const from = conn.received.length;
    conn.send({
      type: 'confirm-request',
      messageId,
      toolCallId: 't2',
      toolName: 'delete_record',
      input: { table: 'notes', key: { id: '1' } },
    });

    const dialog = chat.page.locator('dialog#confirm');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.locator('[data-part=tool]').textContent()).toBe('delete_record');
    // Refuse holds the initial focus, and Tab cycles inside the dialog.
    const focused = (): Promise<unknown> =>
      chat.page.evaluate('document.activeElement && document.activeElement.dataset.part');
    expect(await focused()).toBe('refuse');
    const seen = new Set<unknown>();
    for (let i = 0; i < 5; i++) {
      await chat.page.keyboard.press('Tab');
      seen.add(await focused());
    }
    expect([...seen].sort()).toEqual(['approve', 'refuse']);
    await chat.page.keyboard.press('Shift+Tab');
    expect(['approve', 'refuse']).toContain(await focused());

    await dialog.locator('[data-part=approve]').click();
    expect(await conn.next('confirm', from)).toEqual({
      type: 'confirm',
      toolCallId: 't2',
      approve: true,
    });
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await chat.page.evaluate('document.activeElement.id')).toBe('input');

    const tools = chat.page.locator(`article[data-message-id="${messageId}"] .tool`);
    expect(await tools.count()).toBe(2);
    expect(await tools.nth(0).locator('.tool-output').textContent()).toBe('<b>not bold</b>');
    expect(await tools.nth(1).getAttribute('data-status')).toBe('approved');

    // A second destructive call: Escape refuses.
    const from2 = conn.received.length;
    conn.send({
      type: 'confirm-request',
      messageId,
      toolCallId: 't3',
      toolName: 'delete_document',
      input: { source: 'faq.txt' },
    });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await chat.page.keyboard.press('Escape');
    expect(await conn.next('confirm', from2)).toEqual({
      type: 'confirm',
      toolCallId: 't3',
      approve: false,
    });
    expect(await tools.nth(2).getAttribute('data-status')).toBe('refused');
  });

  it('renders the XSS corpus inert in answers, tool results and source cards, even after clicking everything', async () => {
    const id = await ask('show me the hostile document');
    const messageId = 'm-xss';
    conn.send({ type: 'start', messageId, replyTo: id, queryType: 'rag', reason: 'xss' });
    conn.send({
      type: 'tool-call',
      messageId,
      toolCallId: 'tx',
      toolName: 'search_documents',
      input: { q: XSS_CORPUS },
    });
    conn.send({
      type: 'tool-result',
      messageId,
      toolCallId: 'tx',
      isError: false,
      output: XSS_CORPUS,
      text: XSS_CORPUS,
    });
    conn.send({
      type: 'source',
      messageId,
      n: 1,
      source: '<img src=x onerror=alert(1)>.md',
      title: XSS_CORPUS,
      snippet: XSS_CORPUS,
      score: 1,
    });
    playAnswer(conn, id, {
      messageId: 'm-xss-2',
      deltas: [XSS_CORPUS.slice(0, 400), XSS_CORPUS.slice(400), '\n\nsee [1]'],
    });
    conn.send({ type: 'text-delta', messageId, delta: XSS_CORPUS });
    conn.send({
      type: 'finish',
      messageId,
      finishReason: 'stop',
      response: {
        sessionId: conn.sessionId,
        messageId,
        content: XSS_CORPUS,
        timestamp: new Date().toISOString(),
        sources: [],
        toolsUsed: ['search_documents'],
        queryType: 'rag',
        responseTime: 1,
      },
    });
    const body = chat.page.locator('article[data-message-id="m-xss"] .msg-body');
    await expect.poll(() => body.locator('.inert-link').count()).toBeGreaterThan(5);
    await chat.page.waitForTimeout(300);

    expect(await findLiveMarkup(chat.page)).toEqual([]);
    // No Markdown link is a link: each shows its label and its address as text.
    expect(await chat.page.locator('.msg-body a:not(.cite)').count()).toBe(0);
    expect(await body.textContent()).toContain(
      'markdown external link (https://example.invalid/ok)',
    );
    // Raw HTML is shown as the text it is.
    expect(await body.textContent()).toContain(
      `<a href="javascript:alert('html-js')">html js link</a>`,
    );
    expect(await body.textContent()).toContain(`<img src="/pwned-img" onerror=`);

    // What is left to click: the citation links only (the corpus's links are text now).
    const clicked = await clickEverything(chat.page);
    // (and the page's own controls: Copy, Open, feedback).
    expect(clicked).toBe(
      await chat.page
        .locator('#log a.cite, #log button[data-page-control], #log [data-page-control] button')
        .count(),
    );
    expect(clicked).toBeGreaterThan(0);
    expect(await findLiveMarkup(chat.page)).toEqual([]);
    expect(chat.dialogs).toEqual([]);
    expect(chat.navigations).toEqual([]);
    expect(chat.page.url()).toBe(harness.url);
    expect(harness.requests.filter((p) => p.includes('pwned'))).toEqual([]);
    expect(chat.requested.filter((u) => u.includes('pwned'))).toEqual([]);
    // Nothing tried to leave loopback, not even the external link the test clicked.
    expect(chat.offOrigin).toEqual([]);
    expect(chat.errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await screenshot(chat.page, 'harness-xss-corpus');
  });
});

/**
 * The page against the protocol harness (scripted frames, NOT the real gateway): error frames
 * shown with their message and what to do, document links and images as inert text (no request
 * reaches a loopback beacon), bidi controls made visible, and the CHAT_TITLE from the session
 * frame.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, launchChromium, openChat, webDir, type ChatPage } from '../support/browser.js';
import {
  playAnswer,
  startProtocolHarness,
  type HarnessConnection,
  type ProtocolHarness,
} from '../support/protocol-harness.js';

let browser: Browser;
let harness: ProtocolHarness | undefined;
let chat: ChatPage | undefined;

beforeAll(async () => {
  buildWeb();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await chat?.context.close();
  await harness?.close();
  chat = undefined;
  harness = undefined;
});

async function open(
  script: Parameters<typeof startProtocolHarness>[1] = {},
  viewport?: { width: number; height: number },
): Promise<{ c: ChatPage; conn: HarnessConnection }> {
  harness = await startProtocolHarness(webDir, script);
  chat = await openChat(browser, harness.url, viewport);
  return { c: chat, conn: await harness.connection(0) };
}

async function ask(c: ChatPage, conn: HarnessConnection, text: string): Promise<string> {
  const from = conn.received.length;
  await c.page.locator('#input').fill(text);
  await c.page.locator('#input').press('Enter');
  return (await conn.next('message', from)).id;
}

const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('chat page, protocol harness (scripted frames, not the real gateway)', () => {
  it('shows an error frame with its message, what to do and the code, also after the finish', async () => {
    const { c, conn } = await open();
    const id = await ask(c, conn, 'hello');
    const messageId = 'm-err';
    conn.send({ type: 'start', messageId, replyTo: id, queryType: 'general', reason: 'x' });
    conn.send({
      type: 'error',
      code: 'MODEL_UNAVAILABLE',
      message:
        'MODEL_UNAVAILABLE: Cannot reach the model server at OPENAI_BASE_URL http://127.0.0.1:9/v1; start it or fix OPENAI_BASE_URL.',
      retryable: true,
      replyTo: id,
    });
    conn.send({
      type: 'finish',
      messageId,
      finishReason: 'error',
      response: {
        sessionId: conn.sessionId,
        messageId,
        content: '',
        timestamp: new Date().toISOString(),
        sources: [],
        toolsUsed: [],
        queryType: 'general',
        responseTime: 1,
      },
    });
    const answer = c.page.locator(`article[data-message-id="${messageId}"]`);
    await expect.poll(() => answer.locator('.finish').textContent()).toBe('failed');
    const note = answer.locator('.note-error');
    expect(await note.getAttribute('data-code')).toBe('MODEL_UNAVAILABLE');
    expect(await note.locator('.note-message').textContent()).toContain(
      'Cannot reach the model server at OPENAI_BASE_URL',
    );
    expect(await note.locator('.note-hint').textContent()).toMatch(/Send the message again/);
    expect(await note.locator('.note-code').textContent()).toBe('MODEL_UNAVAILABLE');
    // The composer is free again.
    expect(await c.page.locator('#cancel').isHidden()).toBe(true);
    await c.page.screenshot({ path: '/tmp/page-ux-error.png' });
  });

  it('shows document links and images as text with their address, and no image request reaches a beacon', async () => {
    let beaconHits = 0;
    const beacon: Server = createServer((_req, res) => {
      beaconHits += 1;
      res.writeHead(200, { 'content-type': 'image/png' }).end();
    });
    await new Promise<void>((r) => beacon.listen(0, '127.0.0.1', r));
    const b = `http://127.0.0.1:${(beacon.address() as AddressInfo).port}`;
    try {
      const { c, conn } = await open();
      const id = await ask(c, conn, 'what does the invoice say?');
      const quoted = [
        `The document says: [pay here](${b}/phish?acct=1) and <a href="${b}/html-link">click</a>.`,
        `![logo](${b}/beacon.png) <img src="${b}/html-beacon.png">`,
        `See also ${b}/bare-url and the policy [1].`,
      ].join('\n\n');
      const messageId = playAnswer(conn, id, {
        deltas: [quoted],
        sources: [{ n: 1, source: 'invoice.md', snippet: `[x](${b}/snip)`, score: 0.9 }],
      });
      const body = c.page.locator(`article[data-message-id="${messageId}"] .msg-body`);
      await expect.poll(() => body.locator('a.cite').count()).toBe(1);
      expect(await c.page.locator('#log a:not(.cite)').count()).toBe(0);
      expect(await c.page.locator('#log img').count()).toBe(0);
      const text = (await body.textContent()) ?? '';
      expect(text).toContain(`pay here (${b}/phish?acct=1)`);
      expect(text).toContain(`logo (image: ${b}/beacon.png)`);
      expect(text).toContain(`${b}/bare-url`);
      expect(text).toContain(`<a href="${b}/html-link">click</a>`);
      // Clicking the inert links does nothing; the citation still focuses its card.
      for (const el of await body.locator('.inert-link, .inert-url').all()) await el.click();
      await body.locator('a.cite').click();
      expect(await c.page.evaluate('document.activeElement && document.activeElement.id')).toBe(
        `src-${messageId}-1`,
      );
      await c.page.waitForTimeout(300);
      expect(c.requested.filter((u) => u.startsWith(b))).toEqual([]);
      expect(beaconHits).toBe(0);
      expect(c.navigations).toEqual([]);
      await c.page.screenshot({ path: '/tmp/page-ux-links.png' });
    } finally {
      await new Promise((r) => beacon.close(r));
    }
  });

  it('shows bidi controls in source names, titles, tool cards and answers as visible <U+…>', async () => {
    const { c, conn } = await open({}, { width: 390, height: 844 });
    const id = await ask(c, conn, 'invoices?');
    const messageId = 'm-bidi';
    conn.send({ type: 'start', messageId, replyTo: id, queryType: 'rag', reason: 'x' });
    conn.send({
      type: 'tool-call',
      messageId,
      toolCallId: 't1',
      toolName: 'search_documents',
      input: { query: 'Invoice \u202Eexe.fdp' },
    });
    conn.send({
      type: 'tool-result',
      messageId,
      toolCallId: 't1',
      isError: false,
      output: { results: [{ source: 'Invoice \u202Eexe.fdp' }] },
      text: 'found Invoice \u202Eexe.fdp',
    });
    conn.send({
      type: 'source',
      messageId,
      n: 1,
      source: 'Invoice \u202Eexe.fdp',
      title: 'Q3 \u2066invoice\u2069 \u200F',
      snippet: 'pay \u202Dnow',
      score: 0.8,
    });
    conn.send({ type: 'text-delta', messageId, delta: 'Open **Invoice \u202Eexe.fdp** [1]' });
    const answer = c.page.locator(`article[data-message-id="${messageId}"]`);
    await expect
      .poll(() => answer.locator('.msg-body strong').textContent())
      .toBe('Invoice <U+202E>exe.fdp');
    expect(await answer.locator('.source-name').textContent()).toBe('Invoice <U+202E>exe.fdp');
    expect(await answer.locator('.source-title').textContent()).toBe(
      'Q3 <U+2066>invoice<U+2069> <U+200F>',
    );
    expect(await answer.locator('.tool-output').textContent()).toBe(
      'found Invoice <U+202E>exe.fdp',
    );
    expect(await answer.locator('.tool-input').textContent()).toContain('<U+202E>');
    expect(BIDI.test((await c.page.locator('#log').textContent()) ?? '')).toBe(false);
    await c.page.screenshot({ path: '/tmp/page-ux-bidi-390.png' });
  });

  it('names the page after the session frame title (CHAT_TITLE)', async () => {
    const { c } = await open({ title: 'Team notes' });
    await expect.poll(() => c.page.title()).toBe('Team notes');
    expect(await c.page.locator('header h1').textContent()).toBe('Team notes');
  });
});

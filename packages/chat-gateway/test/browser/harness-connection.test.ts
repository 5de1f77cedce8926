/**
 * The chat page's connection behaviour against the protocol harness (scripted frames, not the
 * real gateway): reconnect with backoff after a drop, resume after a reload, cancel, the
 * keyboard, and the 375 px layout.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryMessage } from '../../src/protocol/frames.js';
import {
  buildWeb,
  launchChromium,
  openChat,
  screenshot,
  webDir,
  type ChatPage,
} from '../support/browser.js';
import {
  playAnswer,
  startProtocolHarness,
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

async function start(
  history: HistoryMessage[] = [],
  viewport?: { width: number; height: number },
): Promise<{ chat: ChatPage; harness: ProtocolHarness }> {
  harness = await startProtocolHarness(webDir, { history: () => history });
  chat = await openChat(browser, harness.url, viewport);
  return { chat, harness };
}

describe('chat page connection, protocol harness (scripted frames, not the real gateway)', () => {
  it('reconnects with backoff after the server drops the socket, resumes the session and asks for history', async () => {
    const { chat, harness } = await start();
    const first = await harness.connection(0);
    const { sessionId } = first;
    // The gateway stays down for two more attempts: the page must keep retrying.
    harness.refuseUpgrades = 2;
    first.drop();
    const banner = chat.page.locator('#connection-banner');
    await expect.poll(() => banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toMatch(/Connection lost/);

    const second = await harness.connection(1, 30_000);
    expect(harness.refusedUpgrades).toBe(2);
    const resume = await second.next('resume');
    expect(resume.sessionId).toBe(sessionId);
    expect(resume.resumeToken).toMatch(/^[A-Za-z0-9_-]{16,128}$/);
    expect(await second.next('history')).toMatchObject({ type: 'history' });
    await expect.poll(() => banner.isVisible()).toBe(false);

    // The resume token lives in sessionStorage only: not in the URL, not in localStorage.
    expect(chat.page.url()).toBe(harness.url);
    expect(await chat.page.evaluate('localStorage.length')).toBe(0);
    expect(String(await chat.page.evaluate('sessionStorage.getItem("chat.session")'))).toContain(
      sessionId,
    );
  });

  it('a reload resumes the session and shows its history', async () => {
    const history: HistoryMessage[] = [
      {
        messageId: 'm2',
        role: 'assistant',
        content: 'Sev1 pages the on-call [1].',
        timestamp: '2026-01-01T00:00:02Z',
        replyTo: 'm1',
        queryType: 'rag',
        sources: ['incident-policy.md'],
        toolsUsed: [],
      },
      {
        messageId: 'm1',
        role: 'user',
        content: 'Who is paged for Sev1?',
        timestamp: '2026-01-01T00:00:01Z',
        clientMessageId: 'c-1',
      },
    ];
    const { chat, harness } = await start(history);
    const first = await harness.connection(0);
    // Reload only once the page has kept the session (a reload before the session frame
    // arrives rightly starts a new session).
    await expect
      .poll(() => chat.page.evaluate('sessionStorage.getItem("chat.session")'))
      .toContain(first.sessionId);
    await chat.page.reload();
    const second = await harness.connection(1);
    expect((await second.next('resume')).sessionId).toBe(first.sessionId);
    const log = chat.page.locator('#log');
    await expect.poll(() => log.locator('.msg').count()).toBe(2);
    expect(await log.locator('.msg-user').textContent()).toBe('Who is paged for Sev1?');
    expect(await log.locator('.msg-assistant .route').textContent()).toBe('RAG');
    await log.locator('.msg-assistant a.cite').click();
    expect(await chat.page.evaluate('document.activeElement.id')).toBe('src-m2-1');
  });

  it('Cancel sends cancel with the client id of the running message, and disappears when it finishes', async () => {
    const { chat, harness } = await start();
    const conn = await harness.connection(0);
    await chat.page.locator('#input').fill('a long question');
    await chat.page.locator('#send').click();
    const message = await conn.next('message');
    const cancel = chat.page.locator('#cancel');
    await expect.poll(() => cancel.isVisible()).toBe(true);
    const messageId = playAnswer(conn, message.id, {
      queryType: 'general',
      deltas: ['Partial'],
      finish: false,
    });
    await cancel.click();
    expect(await conn.next('cancel')).toEqual({ type: 'cancel', messageId: message.id });
    conn.send({
      type: 'finish',
      messageId,
      finishReason: 'cancelled',
      response: {
        sessionId: conn.sessionId,
        messageId,
        content: 'Partial',
        timestamp: new Date().toISOString(),
        sources: [],
        toolsUsed: [],
        queryType: 'general',
        responseTime: 5,
      },
    });
    await expect.poll(() => cancel.isVisible()).toBe(false);
    const answer = chat.page.locator(`article[data-message-id="${messageId}"]`);
    expect(await answer.locator('.finish').textContent()).toBe('cancelled');
    expect(await answer.getAttribute('aria-busy')).toBeNull();
  });

  it('works from the keyboard alone: Tab order, Enter sends, Shift+Enter adds a line', async () => {
    const { chat, harness } = await start();
    const conn = await harness.connection(0);
    const active = (): Promise<unknown> =>
      chat.page.evaluate('document.activeElement.id || document.activeElement.className');
    // The page opens with the input focused; Tab goes to Send, Shift+Tab back.
    expect(await active()).toBe('input');
    await chat.page.keyboard.type('first line');
    await chat.page.keyboard.press('Shift+Enter');
    await chat.page.keyboard.type('second line');
    expect(conn.received.filter((f) => f.type === 'message')).toHaveLength(0);
    await chat.page.keyboard.press('Enter');
    const message = await conn.next('message');
    expect(message.content).toBe('first line\nsecond line');
    await chat.page.keyboard.press('Tab');
    expect(await active()).toBe('send');
    await chat.page.keyboard.press('Shift+Tab');
    await chat.page.keyboard.press('Shift+Tab');
    expect(await active()).toBe('log');
    // The focus ring is visible (an outline, not suppressed).
    expect(
      await chat.page.evaluate('getComputedStyle(document.activeElement).outlineStyle'),
    ).not.toBe('none');
    // The log is a polite live region.
    expect(await chat.page.locator('#log').getAttribute('role')).toBe('log');
    expect(await chat.page.locator('#log').getAttribute('aria-live')).toBe('polite');
  });

  it('is usable 375 px wide: nothing overflows sideways, the input and Send stay on screen', async () => {
    const { chat, harness } = await start([], { width: 375, height: 700 });
    const conn = await harness.connection(0);
    await chat.page.locator('#input').fill('What does the incident policy say about Sev1?');
    await chat.page.locator('#input').press('Enter');
    const message = await conn.next('message');
    playAnswer(conn, message.id, {
      deltas: [
        'A **Sev1** incident pages the on-call engineer immediately [1]; status updates go out every 30 minutes [2].\n\n```\nlong-code-line-that-should-scroll-inside-its-block-and-not-widen-the-page\n```',
      ],
      sources: [
        {
          n: 1,
          source: 'incident-policy.md',
          title: 'Incident policy',
          snippet: 'Sev1: page the on-call engineer immediately.',
          score: 0.93,
        },
        {
          n: 2,
          source: 'deployment-runbook.md',
          title: 'Deployment runbook',
          snippet: 'Post a status update every 30 minutes.',
          score: 0.71,
        },
      ],
      toolsUsed: ['search_documents'],
    });
    await expect.poll(() => chat.page.locator('.source').count()).toBe(2);
    expect(await chat.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      375,
    );
    for (const id of ['#input', '#send']) {
      const box = await chat.page.locator(id).boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(375);
      expect(box!.y + box!.height).toBeLessThanOrEqual(700);
    }
    const path = await screenshot(chat.page, 'harness-375px');
    expect(path).toMatch(/harness-375px\.png$/);
  });
});

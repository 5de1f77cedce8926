/**
 * The chat page against the REAL gateway: offline engine, MCP server in-process, embedded stores
 * on a temporary data dir with examples/docs ingested; headless Chromium (/usr/bin/chromium).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot, type ChatPage } from '../support/browser.js';
import { useBrowserGateway } from '../support/browser-gateway.js';
import { clickEverything, findLiveMarkup, XSS_CORPUS } from '../support/browser-xss.js';

const suite = useBrowserGateway();

async function open(viewport?: { width: number; height: number }): Promise<ChatPage> {
  const chat = await suite.open(viewport);
  // The page reads config.json before it connects: allow for a loaded machine.
  await expect
    .poll(() => chat.page.locator('#model-banner').isVisible(), { timeout: 15_000 })
    .toBe(true);
  return chat;
}

/** Types a message the way a user does and waits for its answer to finish. */
async function ask(page: Page, text: string): Promise<ReturnType<Page['locator']>> {
  const before = await page.locator('#log .msg-assistant').count();
  await page.locator('#input').fill(text);
  await page.locator('#input').press('Enter');
  const answer = page.locator('#log .msg-assistant').nth(before);
  await answer.waitFor();
  return answer;
}
const finished = (answer: ReturnType<Page['locator']>): Promise<void> =>
  expect.poll(() => answer.getAttribute('aria-busy'), { timeout: 20_000 }).toBeNull();

const record = (id: string) =>
  suite.gw.gateway.tools.callTool('read_record', { table: 'notes', record_id: id });

describe('chat page against the real gateway (offline engine, MCP in-process, examples/docs ingested)', () => {
  it('says no model is configured, and answers a question about the documents with working citations', async () => {
    const chat = await open();
    expect(await chat.page.locator('#model-banner').textContent()).toMatch(/MODEL_PROVIDER/);
    const answer = await ask(chat.page, 'How do I roll back a deployment?');
    await finished(answer);
    expect(await answer.locator('.route').textContent()).toBe('RAG');
    const cards = answer.locator('.source');
    expect(await cards.count()).toBeGreaterThan(0);
    expect(await cards.first().textContent()).toContain('deployment-runbook.md');
    const cite = answer.locator('.msg-body a.cite').first();
    expect(await cite.textContent()).toBe('[1]');
    await cite.click();
    const focused = String(await chat.page.evaluate('document.activeElement.id'));
    expect(focused).toMatch(/^src-.+-1$/);
    expect(await chat.page.locator(`[id="${focused}"]`).textContent()).toContain(
      'deployment-runbook.md',
    );
    expect(chat.errors).toEqual([]);
    const shot = await screenshot(chat.page, 'real-cited-answer');
    expect(shot).toMatch(/real-cited-answer\.png$/);
  });

  it('creates a record with /call, runs a destructive call only when approved in the dialog, and the store agrees', async () => {
    const chat = await open();
    for (const id of ['web-approve', 'web-refuse']) {
      const created = await ask(
        chat.page,
        `/call create_record {"table":"notes","data":{"id":"${id}","title":"from the browser"}}`,
      );
      await finished(created);
      expect(await created.locator('.route').textContent()).toBe('tool');
      expect(await created.locator('.tool').getAttribute('data-status')).toBe('done');
      // The result is shown once: in the tool card, not again in the answer text.
      expect(await created.locator('.tool-output').textContent()).toContain(`"id": "${id}"`);
      expect(await created.locator('.msg-body').textContent()).not.toContain(id);
    }
    expect((await record('web-approve')).isError).toBe(false);

    const dialog = chat.page.locator('dialog#confirm');
    const approved = await ask(
      chat.page,
      '/call delete_record {"table":"notes","record_id":"web-approve"}',
    );
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.locator('[data-part=tool]').textContent()).toBe('delete_record');
    await dialog.locator('[data-part=approve]').click();
    await finished(approved);
    expect(await approved.locator('.tool').getAttribute('data-status')).toBe('done');

    const refused = await ask(
      chat.page,
      '/call delete_record {"table":"notes","record_id":"web-refuse"}',
    );
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.locator('[data-part=refuse]').click();
    await finished(refused);
    expect(await refused.locator('.tool').getAttribute('data-status')).toBe('refused');

    const gone = await record('web-approve');
    expect(gone.isError).toBe(true);
    expect(gone.text).toMatch(/^NOT_FOUND/);
    expect((await record('web-refuse')).isError).toBe(false);
  });

  it('a reload restores the session and its history; a dropped socket reconnects to the same session', async () => {
    const chat = await open();
    const first = await ask(chat.page, 'What is the on-call rotation?');
    await finished(first);
    const stored = String(await chat.page.evaluate('sessionStorage.getItem("chat.session")'));
    const sessionId = (JSON.parse(stored) as { sessionId: string }).sessionId;

    await chat.page.reload();
    const log = chat.page.locator('#log');
    await expect
      .poll(() => log.locator('.msg-user').first().textContent())
      .toBe('What is the on-call rotation?');
    expect(await log.locator('.msg-assistant').count()).toBe(1);
    const afterReload = JSON.parse(
      String(await chat.page.evaluate('sessionStorage.getItem("chat.session")')),
    ) as { sessionId: string };
    expect(afterReload.sessionId).toBe(sessionId);
    expect(chat.page.url()).toBe(suite.gw.url);

    await chat.page.evaluate('window.__chat.socket.close()');
    await expect.poll(() => chat.page.locator('#connection-banner').isVisible()).toBe(true);
    await expect
      .poll(() => chat.page.locator('#connection-banner').isVisible(), { timeout: 20_000 })
      .toBe(false);
    const again = await ask(chat.page, 'How do I roll back a deployment?');
    await finished(again);
    expect(await again.locator('.source').count()).toBeGreaterThan(0);
    const afterDrop = JSON.parse(
      String(await chat.page.evaluate('sessionStorage.getItem("chat.session")')),
    ) as { sessionId: string };
    expect(afterDrop.sessionId).toBe(sessionId);
  });

  it('renders the XSS corpus inert from an ingested document and from a tool result', async () => {
    const chat = await open();
    const doc = `# Quokka handbook\n\nThe quokka zebrafish protocol is below.\n\n${XSS_CORPUS}\n\nEnd of the quokka zebrafish protocol.`;
    const ingest = await ask(
      chat.page,
      `/call ingest_document ${JSON.stringify({ source: 'hostile.md', title: XSS_CORPUS.slice(0, 200), content: doc, content_type: 'text/markdown' })}`,
    );
    // Ingesting replaces a document, so it needs approval like any destructive call.
    const dialog = chat.page.locator('dialog#confirm');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.locator('[data-part=approve]').click();
    await finished(ingest);
    expect(await ingest.locator('.tool').getAttribute('data-status')).toBe('done');

    const rag = await ask(chat.page, 'What is the quokka zebrafish protocol?');
    await finished(rag);
    expect(await rag.locator('.source').count()).toBeGreaterThan(0);
    const search = await ask(
      chat.page,
      `/call search_documents {"query":"quokka zebrafish protocol javascript onerror"}`,
    );
    await finished(search);
    expect(await search.locator('.tool-output').textContent()).toContain('onerror');
    await chat.page.waitForTimeout(300);

    expect(await findLiveMarkup(chat.page)).toEqual([]);
    // Every link and button in the log, however many the ranking put there (at least the citation).
    expect(await clickEverything(chat.page)).toBeGreaterThan(0);
    expect(await findLiveMarkup(chat.page)).toEqual([]);
    expect(chat.dialogs).toEqual([]);
    expect(chat.navigations).toEqual([]);
    expect(chat.page.url()).toBe(suite.gw.url);
    expect(chat.requested.filter((u) => u.includes('pwned'))).toEqual([]);
    expect(chat.offOrigin.every((u) => u.startsWith('https://example.invalid/'))).toBe(true);
    expect(chat.errors).toEqual([]);
    await screenshot(chat.page, 'real-xss-corpus');
  });

  it('works from the keyboard alone, through the approval dialog', async () => {
    const chat = await open();
    const { page } = chat;
    await suite.gw.gateway.tools.callTool('create_record', {
      table: 'notes',
      data: { id: 'web-keys', title: 'keys' },
    });
    expect(await page.evaluate('document.activeElement.id')).toBe('input');
    await page.keyboard.type('/call delete_record {"table":"notes","record_id":"web-keys"}');
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog#confirm');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await page.evaluate('document.activeElement.dataset.part')).toBe('refuse');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.dataset.part')).toBe('approve');
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await page.evaluate('document.activeElement.id')).toBe('input');
    await finished(page.locator('#log .msg-assistant').last());
    expect((await record('web-keys')).isError).toBe(true);
  });

  it('is usable 375 px wide (screenshot kept as a test artifact)', async () => {
    const chat = await open({ width: 375, height: 740 });
    const answer = await ask(chat.page, 'What does the incident policy say about severity levels?');
    await finished(answer);
    expect(await chat.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      375,
    );
    const send = await chat.page.locator('#send').boundingBox();
    expect(send!.x + send!.width).toBeLessThanOrEqual(375);
    const path = await screenshot(chat.page, 'real-375px');
    expect(path).toMatch(/real-375px\.png$/);
  });
});

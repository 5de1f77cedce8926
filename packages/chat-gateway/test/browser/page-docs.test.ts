/**
 * The page's document features against the REAL gateway (offline engine, MCP server
 * in-process, embedded stores, examples/docs ingested), in headless Chromium: the document
 * viewer opened from a citation (also after a reload), feedback stored and counted, and the
 * offline banner dismissed for the tab.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { summariseDay } from '../../src/analytics/daily-stats.js';
import { renderStats } from '../../src/commands/stats.js';
import { screenshot, type ChatPage } from '../support/browser.js';
import { useBrowserGateway } from '../support/browser-gateway.js';

const suite = useBrowserGateway();

async function open(viewport?: { width: number; height: number }): Promise<ChatPage> {
  const chat = await suite.open(viewport);
  await expect.poll(() => chat.page.locator('#model-banner').isVisible()).toBe(true);
  return chat;
}

async function ask(page: Page, text: string): Promise<ReturnType<Page['locator']>> {
  const before = await page.locator('#log .msg-assistant').count();
  await page.locator('#input').fill(text);
  await page.locator('#input').press('Enter');
  const answer = page.locator('#log .msg-assistant').nth(before);
  await answer.waitFor();
  await expect.poll(() => answer.getAttribute('aria-busy'), { timeout: 20_000 }).toBeNull();
  return answer;
}

const sessionIdOf = async (page: Page): Promise<string> =>
  (
    JSON.parse(String(await page.evaluate('sessionStorage.getItem("chat.session")'))) as {
      sessionId: string;
    }
  ).sessionId;

/** The first words of a snippet, as the highlight must contain them. */
const opening = (snippet: string): string => snippet.split(/\s+/).slice(0, 4).join(' ');

describe('document viewer, feedback and banner on the real gateway', () => {
  it('a citation opens the document with the cited passage highlighted, also after a reload', async () => {
    const chat = await open();
    const answer = await ask(chat.page, 'How do I roll back a deployment?');
    const card = answer.locator('.source').first();
    const snippet = String(await card.locator('.source-snippet').textContent());
    expect(snippet.length).toBeGreaterThan(20);

    await answer.locator('.msg-body a.cite').first().click();
    const viewer = chat.page.locator('#viewer');
    await viewer.waitFor();
    await expect.poll(() => viewer.locator('mark.cited').count(), { timeout: 15_000 }).toBe(1);
    expect(await viewer.locator('#viewer-title').textContent()).toBeTruthy();
    expect(await viewer.locator('[data-part=status]').textContent()).toContain(
      'deployment-runbook.md',
    );
    const marked = String(await viewer.locator('mark.cited').textContent());
    expect(marked.replace(/\s+/g, ' ')).toContain(opening(snippet));
    // The whole document is there, not just the passage.
    const whole = String(await viewer.locator('.viewer-text').textContent());
    expect(whole.length).toBeGreaterThan(marked.length);
    // Scrolled to: the highlight is inside the panel's visible area.
    expect(await viewer.locator('mark.cited').isVisible()).toBe(true);
    await screenshot(chat.page, 'docs-viewer-desktop');
    await chat.page.locator('#viewer [data-part=close]').click();
    expect(await viewer.isHidden()).toBe(true);

    await chat.page.reload();
    const restored = chat.page.locator('#log .msg-assistant').first();
    await restored.waitFor();
    const restoredCard = restored.locator('.source').first();
    // History keeps the snippet now, not only the file name.
    await expect.poll(() => restoredCard.locator('.source-snippet').textContent()).toBe(snippet);
    await restoredCard.locator('button.source-open').click();
    await expect.poll(() => viewer.locator('mark.cited').count(), { timeout: 15_000 }).toBe(1);
    expect(String(await viewer.locator('mark.cited').textContent()).replace(/\s+/g, ' ')).toContain(
      opening(snippet),
    );
    expect(chat.errors).toEqual([]);
  });

  it('the viewer fills a phone screen and closes with Escape', async () => {
    const chat = await open({ width: 390, height: 844 });
    const answer = await ask(chat.page, 'What is the on-call rotation?');
    await answer.locator('.source button.source-open').first().click();
    const viewer = chat.page.locator('#viewer');
    await expect.poll(() => viewer.locator('mark.cited').count(), { timeout: 15_000 }).toBe(1);
    const box = await viewer.boundingBox();
    expect(box?.width).toBe(390);
    await screenshot(chat.page, 'docs-viewer-mobile');
    await chat.page.keyboard.press('Escape');
    expect(await viewer.isHidden()).toBe(true);
  });

  it('thumbs down with a reason is stored with the answer and counted in stats', async () => {
    const chat = await open();
    const answer = await ask(chat.page, 'How do I roll back a deployment?');
    const messageId = String(await answer.getAttribute('data-message-id'));
    await answer.locator('.thumb-down').click();
    await answer.locator('.feedback-reason').fill('missed the second step');
    await answer.locator('.feedback-form button[type=submit]').click();
    await expect.poll(() => answer.locator('.feedback-status').textContent()).toContain('Thanks');
    expect(await answer.locator('.thumb-down').getAttribute('aria-pressed')).toBe('true');

    const sessionId = await sessionIdOf(chat.page);
    await expect
      .poll(async () => {
        const messages = await suite.gw.gateway.store.listMessages(sessionId, { limit: 10 });
        return messages.find((m) => m.messageId === messageId)?.feedback?.reason;
      })
      .toBe('missed the second step');
    const stored = (await suite.gw.gateway.store.listMessages(sessionId, { limit: 10 })).find(
      (m) => m.messageId === messageId,
    );
    expect(stored?.feedback?.rating).toBe('down');

    const today = new Date().toISOString().slice(0, 10);
    const summary = await summariseDay(suite.gw.gateway.store, today);
    // Two events: the click, then the same rating with its reason.
    expect(summary.feedback.down).toBeGreaterThanOrEqual(1);
    expect(renderStats(summary)).toMatch(/Feedback down\s+\d/);

    // After a reload the rating shows as given.
    await chat.page.reload();
    const restored = chat.page.locator(`#log [data-message-id="${messageId}"]`);
    await expect
      .poll(() => restored.locator('.thumb-down').getAttribute('aria-pressed'), {
        timeout: 15_000,
      })
      .toBe('true');
    await screenshot(chat.page, 'docs-feedback');
  });

  it('the offline banner is one line and stays dismissed for the tab', async () => {
    const chat = await open({ width: 390, height: 844 });
    const banner = chat.page.locator('#model-banner');
    const box = await banner.boundingBox();
    // One line of text plus padding: well under two lines on a phone.
    expect(box?.height).toBeLessThan(60);
    await banner.locator('[data-part=dismiss]').click();
    expect(await banner.isHidden()).toBe(true);
    await chat.page.reload();
    await chat.page.locator('#composer').waitFor();
    await expect.poll(() => chat.page.evaluate('sessionStorage.length')).toBeGreaterThan(0);
    // Give the session frame time to arrive; the banner must stay hidden.
    await chat.page.waitForFunction('sessionStorage.getItem("chat.session") !== null');
    await ask(chat.page, '/tools');
    expect(await banner.isHidden()).toBe(true);
    await screenshot(chat.page, 'docs-mobile-dismissed');
  });

  it('the documents panel lists documents and deletes one only after approval in the dialog', async () => {
    const added = await suite.gw.gateway.tools.callTool('ingest_document', {
      source: 'scratch-notes.md',
      title: 'Scratch notes',
      content: '# Scratch\n\nThe wombat rota is kept on the fridge.',
      content_type: 'text/markdown',
    });
    expect(added.isError).toBe(false);
    const listed = async (): Promise<string[]> => {
      const out = await suite.gw.gateway.tools.callTool('list_documents', { limit: 100 });
      return ((out.structured?.['documents'] ?? []) as { source: string }[]).map((d) => d.source);
    };
    const chat = await open({ width: 390, height: 844 });
    await chat.page.locator('#docs-button').click();
    const panel = chat.page.locator('#docs-panel');
    const row = panel.locator('.doc-row[data-source="scratch-notes.md"]');
    await row.waitFor({ timeout: 15_000 });
    expect(await panel.locator('.doc-row[data-source="deployment-runbook.md"]').count()).toBe(1);
    expect(await row.locator('.doc-title').textContent()).toBe('Scratch notes');
    await screenshot(chat.page, 'docs-panel-mobile');

    await row.locator('.doc-delete').click();
    const dialog = chat.page.locator('#confirm');
    await dialog.waitFor();
    expect(await dialog.locator('[data-part=tool]').textContent()).toBe('delete_document');
    await dialog.locator('[data-part=refuse]').click();
    await expect
      .poll(() => chat.page.locator('#log .tool').last().getAttribute('data-status'))
      .toBe('refused');
    expect(await listed()).toContain('scratch-notes.md');

    // From here the list must never be empty: the refresh after the delete keeps the rows shown
    // until the new list replaces them (before, it emptied the panel while loading).
    await chat.page.evaluate(`{
      const list = document.querySelector('#docs-panel [data-part=list]');
      window.listEmptied = false;
      new MutationObserver(() => {
        if (!list.querySelector('.doc-row')) window.listEmptied = true;
      }).observe(list, { childList: true });
    }`);
    await row.locator('.doc-delete').click();
    await dialog.waitFor();
    await dialog.locator('[data-part=approve]').click();
    await expect.poll(listed, { timeout: 15_000 }).not.toContain('scratch-notes.md');
    // The open panel refreshes when the delete's answer finishes.
    await expect
      .poll(() => panel.locator('.doc-row[data-source="scratch-notes.md"]').count(), {
        timeout: 15_000,
      })
      .toBe(0);
    expect(await panel.locator('.doc-row[data-source="deployment-runbook.md"]').count()).toBe(1);
    expect(await chat.page.evaluate('window.listEmptied')).toBe(false);
    expect(chat.errors).toEqual([]);
  });

  it('uploads files from the documents panel with per-file outcome, then answers about them', async () => {
    // A document this (anonymous) page may not read: its name is refused, its text never shown.
    const hidden = await suite.gw.gateway.tools.callTool('ingest_document', {
      source: 'hidden-plan.md',
      content: '# Hidden plan\n\nThe zanzibar codeword is for alice only.',
      access: { users: ['alice'] },
    });
    expect(hidden.isError).toBe(false);
    const chat = await open();
    await chat.page.locator('#docs-button').click();
    const panel = chat.page.locator('#docs-panel');
    await panel.locator('.doc-row').first().waitFor({ timeout: 15_000 });
    await panel.locator('input[data-part=files]').setInputFiles([
      { name: 'hidden-plan.md', mimeType: 'text/markdown', buffer: Buffer.from('# Mine\n\nMine.') },
      {
        name: 'capybara-policy.md',
        mimeType: 'text/markdown',
        buffer: Buffer.from(
          '# Capybara policy\n\nThe capybara feeding schedule is twice a day, at 07:00 and 19:00, by the keeper on duty.',
        ),
      },
      { name: 'virus.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') },
    ]);
    const added = panel.locator('.upload-row[data-file="capybara-policy.md"]');
    await expect.poll(() => added.getAttribute('data-outcome'), { timeout: 20_000 }).toBe('added');
    const refused = panel.locator('.upload-row[data-file="virus.exe"]');
    await expect
      .poll(() => refused.getAttribute('data-outcome'), { timeout: 20_000 })
      .toBe('refused');
    expect(await refused.locator('.upload-status').textContent()).toMatch(/only Markdown/);
    const taken = panel.locator('.upload-row[data-file="hidden-plan.md"]');
    await expect
      .poll(() => taken.getAttribute('data-outcome'), { timeout: 20_000 })
      .toBe('refused');
    const why = String(await taken.locator('.upload-status').textContent());
    expect(why).toMatch(/already taken by a document you cannot replace.*another file name/);
    expect(why).not.toMatch(/zanzibar|alice/i);
    expect(await panel.locator('.doc-row[data-source="hidden-plan.md"]').count()).toBe(0);
    // The list shows it once stored.
    await panel.locator('.doc-row[data-source="capybara-policy.md"]').waitFor({ timeout: 15_000 });
    await screenshot(chat.page, 'docs-upload');
    await panel.locator('[data-part=close]').click();

    const answer = await ask(chat.page, 'What is the capybara feeding schedule?');
    expect(await answer.locator('.source').first().textContent()).toContain('capybara-policy.md');
    expect(await answer.locator('.msg-body').textContent()).toMatch(/07:00/);
    // The browser logs the refused uploads' 415 and 409 as console errors; nothing else went wrong.
    expect(chat.errors.filter((e) => !/status of (415|409)/.test(e))).toEqual([]);
  });
});

/**
 * The conversations sidebar against the REAL gateway (offline engine, anonymous loopback mode:
 * one user, who owns every anonymous conversation), in headless Chromium: two conversations,
 * switching between them, rename and delete (after the confirmation), on a desktop and on a
 * 390x844 phone where the list is a drawer behind the ☰ (Conversations) button.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot, type ChatPage } from '../support/browser.js';
import { useBrowserGateway } from '../support/browser-gateway.js';

const suite = useBrowserGateway();

/** A loaded machine (2 cores, many test runs) can take seconds for a page or an answer. */
const eventually = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });

async function open(viewport?: { width: number; height: number }): Promise<ChatPage> {
  const chat = await suite.open(viewport);
  await eventually(() => chat.page.locator('#model-banner').isVisible()).toBe(true);
  return chat;
}

async function ask(page: Page, text: string): Promise<void> {
  const before = await page.locator('#log .msg-assistant').count();
  await page.locator('#input').fill(text);
  await page.locator('#input').press('Enter');
  const answer = page.locator('#log .msg-assistant').nth(before);
  await answer.waitFor();
  await eventually(() => answer.getAttribute('aria-busy')).toBeNull();
}

const titles = (page: Page): Promise<string[]> =>
  page.locator('#sidebar .conv .conv-title').allTextContents();
const userTexts = (page: Page): Promise<string[]> =>
  page.locator('#log .msg-user').allTextContents();

describe('conversations sidebar', () => {
  it('on a desktop: two conversations, switch, rename, delete after confirming', async () => {
    const chat = await open({ width: 1280, height: 800 });
    const { page } = chat;
    const sidebar = page.locator('#sidebar');
    expect(await sidebar.isVisible()).toBe(true);
    expect(await page.locator('#chats-button').isVisible()).toBe(false);
    const first = `Refund policy question ${Date.now()}`;
    await ask(page, first);
    await page.locator('#sidebar [data-part=new]').click();
    await eventually(() => page.locator('#log .msg').count()).toBe(0);
    const second = `Password reset question ${Date.now()}`;
    await ask(page, second);
    await eventually(() => titles(page)).toEqual([second, first].map((t) => t.slice(0, 60)));
    expect(await sidebar.locator('.conv.current .conv-title').textContent()).toBe(second);
    await screenshot(page, 'conversations-desktop');

    // Switch to the first: its question comes back from the history, the second's is gone.
    await sidebar.locator('.conv', { hasText: first }).locator('.conv-open').click();
    await eventually(() => userTexts(page)).toEqual([first]);
    await eventually(() => sidebar.locator('.conv.current .conv-title').textContent()).toBe(first);
    // And back again.
    await sidebar.locator('.conv', { hasText: second }).locator('.conv-open').click();
    await eventually(() => userTexts(page)).toEqual([second]);

    // Rename the first in place.
    await sidebar.locator('.conv', { hasText: first }).locator('.conv-rename').click();
    const input = sidebar.locator('.conv-title-input');
    await input.fill('Refunds');
    await input.press('Enter');
    await eventually(() => titles(page)).toContain('Refunds');

    // Delete asks first; Cancel keeps it, Delete removes it.
    const row = sidebar.locator('.conv', { hasText: 'Refunds' });
    await row.locator('.conv-delete').click();
    const dialog = page.locator('#confirm-delete');
    expect(await dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('Refunds');
    await dialog.locator('[data-part=cancel]').click();
    expect(await titles(page)).toContain('Refunds');
    await row.locator('.conv-delete').click();
    await dialog.locator('[data-part=delete]').click();
    await eventually(() => titles(page)).toEqual([second]);
    expect(chat.errors).toEqual([]);
    expect(chat.dialogs).toEqual([]);
  }, 120_000);

  it('on a phone: the list is a drawer behind the ☰ (Conversations) button', async () => {
    const chat = await open({ width: 390, height: 844 });
    const { page } = chat;
    const question = `Phone question ${Date.now()}`;
    await ask(page, question);
    const sidebar = page.locator('#sidebar');
    const toggle = page.locator('#chats-button');
    expect(await toggle.isVisible()).toBe(true);
    expect(await sidebar.isVisible()).toBe(false);
    await screenshot(page, 'conversations-phone-closed');
    await toggle.click();
    await eventually(() => sidebar.isVisible()).toBe(true);
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await eventually(() => titles(page)).toContain(question);
    // The drawer slides in: its place is read once the transition has ended.
    await eventually(async () => (await sidebar.boundingBox())?.x).toBe(0);
    const box = await sidebar.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(390);
    await screenshot(page, 'conversations-phone-open');
    // Search narrows the list.
    await sidebar.locator('[data-part=search]').fill('no such words anywhere');
    await eventually(() => titles(page)).toEqual([]);
    expect(await sidebar.locator('[data-part=status]').textContent()).toBe(
      'No conversation matches.',
    );
    await sidebar.locator('[data-part=search]').fill('');
    await eventually(() => titles(page)).toContain(question);
    // Opening the current one closes the drawer.
    await sidebar.locator('.conv.current .conv-open').click();
    await eventually(() => sidebar.isVisible()).toBe(false);
    expect(chat.errors).toEqual([]);
  }, 120_000);
});

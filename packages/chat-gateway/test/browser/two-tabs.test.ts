/**
 * Two tabs of the page on one session, against the real local gateway with a slow model: the
 * second tab starts with the first one's session in its sessionStorage (as the browser's
 * "Duplicate tab" does) and joins the session; an answer asked for in tab A streams into both,
 * tab A shows no reconnect for B's arrival, and A's next reconnect works with the token B's
 * resume rotated.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { useBrowserGateway } from '../support/browser-gateway.js';
import { openChat } from '../support/browser.js';
import { answerTo, SlowModel } from '../support/slow-model.js';

const suite = useBrowserGateway({ model: new SlowModel(20) });

function stored(page: Page): Promise<{ sessionId: string; resumeToken: string } | null> {
  return page
    .evaluate('sessionStorage.getItem("chat.session")')
    .then((v) => (typeof v === 'string' ? (JSON.parse(v) as never) : null));
}

it('streams an answer asked in one tab into both tabs of the session', async () => {
  const chat = await openChat(suite.browser, suite.gw.url);
  try {
    const a = chat.page;
    await expect.poll(() => stored(a), { timeout: 15_000 }).toBeTruthy();
    const first = (await stored(a))!;
    const b = await chat.context.newPage();
    await b.addInitScript(
      `sessionStorage.setItem("chat.session", ${JSON.stringify(JSON.stringify(first))})`,
    );
    await b.goto(suite.gw.url);
    // B resumed A's session; the rotated token reached A too.
    await expect
      .poll(async () => (await stored(b))?.resumeToken, { timeout: 15_000 })
      .not.toBe(first.resumeToken);
    expect((await stored(b))?.sessionId).toBe(first.sessionId);
    await expect
      .poll(async () => (await stored(a))?.resumeToken)
      .toBe((await stored(b))?.resumeToken);

    const question = 'in both tabs #30';
    await a.locator('#input').fill(question);
    await a.locator('#input').press('Enter');
    for (const page of [a, b]) {
      const answer = page.locator('#log .msg-assistant').first();
      await expect.poll(() => answer.getAttribute('aria-busy'), { timeout: 30_000 }).toBeNull();
      expect((await answer.locator('.msg-body').textContent())?.trim()).toBe(answerTo(question));
    }
    expect(await a.locator('#log .note-quiet').count()).toBe(0);

    // A's socket drops: it resumes with the token B's arrival rotated, in the same session.
    await a.evaluate('window.__chat.socket.close()');
    await expect
      .poll(() => a.locator('#log .note-quiet').textContent(), { timeout: 15_000 })
      .toBe('Reconnected.');
    expect((await stored(a))?.sessionId).toBe(first.sessionId);
    expect(chat.errors).toEqual([]);
  } finally {
    await chat.context.close();
  }
}, 90_000);

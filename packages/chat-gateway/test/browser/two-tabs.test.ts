/**
 * Two tabs of the page on one session, against the real local gateway with a slow model: the
 * second tab starts with the first one's session in its sessionStorage (as the browser's
 * "Duplicate tab" does) and joins the session; an answer asked for in tab A streams into both,
 * tab A shows no reconnect for B's arrival, and A's next reconnect works with the token B's
 * resume rotated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { buildWeb, launchChromium, openChat, webDir } from '../support/browser.js';
import { answerTo, SlowModel } from '../support/slow-model.js';

let browser: Browser;
let gateway: LocalGateway;
const dataDir = mkdtempSync(join(tmpdir(), 'chat-web-tabs-'));

beforeAll(async () => {
  buildWeb();
  browser = await launchChromium();
  gateway = await startLocalGateway({
    dataDir,
    port: '0',
    host: '127.0.0.1',
    env: {},
    webRoot: webDir,
    cleanupIntervalMs: false,
    logger: silentLogger,
    model: new SlowModel(20),
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function stored(page: Page): Promise<{ sessionId: string; resumeToken: string } | null> {
  return page
    .evaluate('sessionStorage.getItem("chat.session")')
    .then((v) => (typeof v === 'string' ? (JSON.parse(v) as never) : null));
}

it('streams an answer asked in one tab into both tabs of the session', async () => {
  const chat = await openChat(browser, `${gateway.url}/`);
  try {
    const a = chat.page;
    await expect.poll(() => stored(a), { timeout: 15_000 }).toBeTruthy();
    const first = (await stored(a))!;
    const b = await chat.context.newPage();
    await b.addInitScript(
      `sessionStorage.setItem("chat.session", ${JSON.stringify(JSON.stringify(first))})`,
    );
    await b.goto(`${gateway.url}/`);
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

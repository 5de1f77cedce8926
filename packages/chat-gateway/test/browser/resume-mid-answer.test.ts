/**
 * The page survives a dropped socket mid-answer, against the real local gateway with a slow
 * model: the test closes the page's socket while the answer streams; the page reconnects,
 * resumes with its last seq, and the answer completes with exactly the model's text, with only
 * a quiet "Reconnected." note to show for it.
 */
import { expect, it } from 'vitest';
import { useBrowserGateway } from '../support/browser-gateway.js';
import { openChat } from '../support/browser.js';
import { answerTo, SlowModel } from '../support/slow-model.js';

const suite = useBrowserGateway({ model: new SlowModel(40) });

it('completes an answer with exactly the model text after its socket is closed mid-answer', async () => {
  const chat = await openChat(suite.browser, suite.gw.url);
  try {
    // Connected once the page keeps its session (config.json first: allow for a loaded machine).
    await expect
      .poll(() => chat.page.evaluate('sessionStorage.getItem("chat.session")'), {
        timeout: 15_000,
      })
      .toBeTruthy();
    const question = 'keep going #60';
    await chat.page.locator('#input').fill(question);
    await chat.page.locator('#input').press('Enter');
    const answer = chat.page.locator('#log .msg-assistant').first();
    const body = answer.locator('.msg-body');
    await expect.poll(() => body.textContent(), { timeout: 15_000 }).toMatch(/w3\b/);
    await chat.page.evaluate('window.__chat.socket.close()');
    await expect.poll(() => answer.getAttribute('aria-busy'), { timeout: 30_000 }).toBeNull();
    expect((await body.textContent())?.trim()).toBe(answerTo(question));
    expect(await chat.page.locator('#log .note-quiet').textContent()).toBe('Reconnected.');
    expect(await chat.page.locator('#log').textContent()).not.toMatch(/Connection lost/);
  } finally {
    await chat.context.close();
  }
}, 90_000);

/**
 * The documents panel and the document viewer of the hosted page on the AWS path, in headless
 * Chromium: the page as the CDK app hosts it (static files, `config.json` naming the WebSocket
 * API, `auth: "token"`), the LOCAL API GATEWAY WEBSOCKET EMULATOR running the Lambda handlers,
 * the WebSocket function reading the built MCP server Lambda through the LOCAL LAMBDA INVOKE
 * EMULATOR, and a fake Bedrock ConverseStream server for the answer whose citation is opened.
 */
import { describe, expect, it } from 'vitest';
import { AUTH_TOKEN } from '../support/apigw-aws-path.js';
import { screenshot } from '../support/browser.js';
import { converseText, converseRoute } from '../support/fake-bedrock-converse-server.js';
import { useHostedAwsPage } from '../support/hosted-aws-page.js';

describe('hosted page on the AWS path: documents panel and viewer through the WebSocket function and the MCP server Lambda (API Gateway and Lambda Invoke EMULATORS; headless Chromium)', () => {
  const hosted = useHostedAwsPage();

  it('the panel lists the documents and views one; a citation opens the viewer on the cited passage', async () => {
    const context = await hosted.browser.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(`${hosted.site.origin}/#token=${AUTH_TOKEN}`);
    await expect.poll(() => hosted.aws.apigw.connected.length, { timeout: 30_000 }).toBe(1);

    // The panel: one row per document the connection may read, from list_documents.
    await page.locator('#docs-button').click();
    const panel = page.locator('#docs-panel');
    const runbook = panel.locator('.doc-row[data-source="deployment-runbook.md"]');
    await runbook.waitFor({ timeout: 30_000 });
    expect(await panel.locator('.doc-row[data-source="incident-policy.md"]').count()).toBe(1);
    expect(await panel.locator('[data-part=status]').textContent()).not.toMatch(/local|error/i);
    await runbook.getByRole('button', { name: 'View' }).click();
    const viewer = page.locator('#viewer');
    await viewer.waitFor();
    await expect
      .poll(() => viewer.locator('.viewer-text').textContent(), { timeout: 30_000 })
      .toMatch(/roll/i);
    expect(await viewer.locator('[data-part=status]').textContent()).toContain(
      'deployment-runbook.md',
    );
    // Opened from the panel, the document lies over it (it was hidden beneath the panel).
    await viewer.locator('[data-part=close]').click({ timeout: 10_000 });
    expect(await viewer.isHidden()).toBe(true);
    expect(await panel.isVisible()).toBe(true);
    await panel.locator('[data-part=close]').click();

    // An answer from Bedrock citing the retrieved passage; its citation opens the viewer.
    hosted.aws.bedrock.enqueue(converseRoute('rag'), {
      items: converseText(['Roll back by redeploying the previous release [1].']),
    });
    await page.locator('#input').fill('How do I roll back a deployment?');
    await page.locator('#input').press('Enter');
    const answer = page.locator('#log .msg-assistant').first();
    await answer.locator('.source').first().waitFor({ timeout: 30_000 });
    const source = String(await answer.locator('.source').first().textContent());
    const snippet = String(
      await answer.locator('.source').first().locator('.source-snippet').textContent(),
    );
    expect(snippet.length).toBeGreaterThan(20);
    await answer.locator('.msg-body a.cite').first().click();
    await expect.poll(() => viewer.locator('mark.cited').count(), { timeout: 30_000 }).toBe(1);
    const marked = String(await viewer.locator('mark.cited').textContent()).replace(/\s+/g, ' ');
    expect(marked).toContain(snippet.split(/\s+/).slice(0, 4).join(' '));
    const status = String(await viewer.locator('[data-part=status]').textContent());
    expect(source).toContain(status.match(/[\w-]+\.md/)?.[0] ?? 'no source in the status');
    expect(await viewer.locator('mark.cited').isVisible()).toBe(true);
    await screenshot(page, 'aws-docs-citation-viewer');
    expect(errors.filter((e) => /Content Security Policy|LOCAL_ONLY/i.test(e))).toEqual([]);
    await context.close();
  }, 180_000);
});

/**
 * Upload on AWS, in headless Chromium: the page as the CDK app hosts it (static files on one
 * origin, `config.json` with the WebSocket API's URL and `upload: {mode: "presigned"}`), the
 * LOCAL API GATEWAY WEBSOCKET EMULATOR running the Lambda handlers (the `upload-form` route
 * selected on `action`), a LOCAL S3 STAND-IN taking the browser's presigned POST and invoking
 * the upload-ingest handler as the bucket's ObjectCreated notification does; then a question
 * about the uploaded file is answered from it.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_TOKEN, startAwsPath, type AwsPath } from '../support/apigw-aws-path.js';
import { converseText, converseRoute } from '../support/fake-bedrock-converse-server.js';
import { startHostedSite, type HostedSite } from '../support/hosted-site.js';
import { buildWeb, launchChromium, screenshot } from '../support/browser.js';
import { startFakeS3Server, type FakeS3Server } from '../support/fake-s3-server.js';

async function ask(page: Page, question: string) {
  const before = await page.locator('#log .msg-assistant').count();
  await page.locator('#input').fill(question);
  await page.locator('#input').press('Enter');
  const answer = page.locator('#log .msg-assistant').nth(before);
  await answer.locator('.source').first().waitFor({ timeout: 30_000 });
  return answer;
}

describe('presigned upload from the hosted page: API Gateway WebSocket EMULATOR + LOCAL S3 STAND-IN + upload-ingest (headless Chromium)', () => {
  let browser: Browser;
  let site: HostedSite;
  let s3: FakeS3Server;
  let aws: AwsPath;
  let ingest: typeof import('../../src/transports/lambda/upload-ingest.js');
  let form: typeof import('../../src/transports/lambda/upload-form.js');

  beforeAll(async () => {
    buildWeb();
    site = await startHostedSite();
    s3 = await startFakeS3Server();
    s3.allowedOrigin = site.origin;
    aws = await startAwsPath({
      env: {
        CHAT_ALLOWED_ORIGINS: site.origin,
        UPLOAD_BUCKET: s3.bucket,
        S3_ENDPOINT: s3.endpoint,
        CHAT_UPLOAD_MAX_BYTES: '65536',
      },
      actions: async () => {
        form = await import('../../src/transports/lambda/upload-form.js');
        return { 'upload-form': (event) => form.handler(event) };
      },
    });
    ingest = await import('../../src/transports/lambda/upload-ingest.js');
    s3.onCreated = (event) => ingest.handler(event);
    site.config = { webSocketUrl: aws.apigw.wsUrl, auth: 'token', upload: { mode: 'presigned' } };
    site.connectSrc = [new URL(aws.apigw.wsUrl).origin, s3.endpoint];
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await ingest?.closeForTests();
    form?.resetForTests();
    await aws?.close();
    await s3?.close();
    await site?.close();
  });

  it('uploads through the presigned form with progress, shows the outcome from the ingest function, then answers from the file', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    const posts: string[] = [];
    page.on('request', (r) => void (r.method() === 'POST' && posts.push(r.url())));
    await page.goto(`${site.origin}/#token=${AUTH_TOKEN}`);
    await expect.poll(() => aws.apigw.connected.length, { timeout: 30_000 }).toBe(1);

    await page.locator('#docs-button').click();
    const panel = page.locator('#docs-panel');
    await panel.locator('input[data-part=files]').setInputFiles([
      {
        name: 'capybara-policy.md',
        mimeType: 'text/markdown',
        buffer: Buffer.from(
          '# Capybara policy\n\nThe capybara feeding schedule is twice a day, at 07:00 and 19:00, by the keeper on duty.\n',
        ),
      },
      { name: 'virus.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') },
      { name: 'huge.md', mimeType: 'text/markdown', buffer: Buffer.alloc(70_000, 'a') },
    ]);
    const added = panel.locator('.upload-row[data-file="capybara-policy.md"]');
    await expect.poll(() => added.getAttribute('data-outcome'), { timeout: 60_000 }).toBe('added');
    expect(await added.locator('.upload-status').textContent()).toMatch(/added · \d+ chunk/);
    expect(await added.locator('progress').getAttribute('value')).toBe('100');
    for (const [file, why] of [
      ['virus.exe', /only Markdown/],
      ['huge.md', /larger than 64 KB \(CHAT_UPLOAD_MAX_BYTES\)/],
    ] as const) {
      const row = panel.locator(`.upload-row[data-file="${file}"]`);
      await expect
        .poll(() => row.getAttribute('data-outcome'), { timeout: 30_000 })
        .toBe('refused');
      expect(await row.locator('.upload-status').textContent()).toMatch(why);
    }
    // The file went to the bucket (never to the page's origin), and was deleted once ingested.
    expect(posts).toEqual([`${s3.endpoint}/${s3.bucket}`]);
    expect(s3.posts.map((p) => p.status)).toEqual([204]);
    expect(s3.objects.size).toBe(0);
    // The refusals were decided before any presigned form was handed out.
    await screenshot(page, 'presigned-upload');
    await panel.locator('[data-part=close]').click();

    aws.bedrock.enqueue(converseRoute('rag'), {
      items: converseText(['Twice a day, at 07:00 and 19:00 [1].']),
    });
    const answer = await ask(page, 'What is the capybara feeding schedule?');
    expect(await answer.locator('.source').first().textContent()).toContain('capybara-policy.md');
    // The model was given the uploaded passage (the sources show before the answer's request).
    await expect
      .poll(() => JSON.stringify(aws.bedrock.requests.at(-1)), { timeout: 30_000 })
      .toContain('07:00 and 19:00');
    expect(errors.filter((e) => /Content Security Policy|CORS/i.test(e))).toEqual([]);
    await context.close();
  }, 180_000);
});

// Refreshes docs/screenshots/cited-answer.png (shown in the README): starts the real gateway
// (offline engine, MCP server in-process, a temporary data dir with examples/docs ingested),
// asks a question about the sample documents in headless Chromium and saves the cited answer.
// Needs a build (`pnpm --filter chatbot-gateway build`) and Chromium at /usr/bin/chromium
// (or CHROMIUM_PATH); never downloads a browser.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from 'chatbot-mcp-server/core';
import { chromium } from 'playwright-core';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const repo = join(pkg, '..', '..');
const out = join(repo, 'docs', 'screenshots', 'cited-answer.png');
const question = process.argv[2] ?? 'How do I roll back a deployment?';

const { startLocalGateway } = await import(
  join(pkg, 'dist', 'transports', 'local', 'start-local-gateway.js')
).catch(() => {
  throw new Error('dist/ is missing or stale: run `pnpm --filter chatbot-gateway build` first');
});
const dataDir = mkdtempSync(join(tmpdir(), 'chat-screenshot-'));
const gateway = await startLocalGateway({
  dataDir,
  port: '0',
  host: '127.0.0.1',
  env: {},
  webRoot: join(pkg, 'dist', 'web'),
  seedDocsDir: join(repo, 'examples', 'docs'),
  cleanupIntervalMs: false,
  logger: silentLogger,
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({
    viewport: { width: 900, height: 640 },
    deviceScaleFactor: 1,
  });
  await page.goto(`${gateway.url}/`);
  await page.locator('#model-banner').waitFor({ state: 'visible' });
  await page.locator('#input').fill(question);
  await page.locator('#input').press('Enter');
  const answer = page.locator('#log .msg-assistant').first();
  await answer.locator('.source').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('#log .msg-assistant[aria-busy]'));
  // Show the citation link working: the first source card has the focus ring.
  await answer.locator('.msg-body a.cite').first().click();
  await page.waitForTimeout(400);
  mkdirSync(join(repo, 'docs', 'screenshots'), { recursive: true });
  await page.screenshot({ path: out });
  process.stderr.write(`screenshot: ${out}\n`);
} finally {
  await browser.close();
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
}

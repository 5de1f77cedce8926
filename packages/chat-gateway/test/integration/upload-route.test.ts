/**
 * POST /upload on the REAL local gateway (offline engine, MCP server in-process, embedded
 * stores): a file is ingested and its outcome reported; the same Origin and token checks as
 * the WebSocket upgrade, CHAT_UPLOAD=off, CHAT_UPLOAD_MAX_BYTES and unsupported types refuse
 * with a message saying why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The MCP server's test helper that writes a minimal real PDF (test code, not a dependency).
import { makePdf } from '../../../mcp-server/test/support/make-pdf.js';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';

const started: { gw: LocalGateway; dir: string }[] = [];
async function gateway(env: Record<string, string>): Promise<LocalGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-upload-'));
  const gw = await startLocalGateway({
    env,
    dataDir: dir,
    port: '0',
    host: '127.0.0.1',
    logger: silentLogger,
    webRoot: false,
    cleanupIntervalMs: false,
  });
  started.push({ gw, dir });
  return gw;
}
afterAll(async () => {
  for (const { gw, dir } of started) {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const post = (
  gw: LocalGateway,
  name: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
) => fetch(`${gw.url}/upload?name=${encodeURIComponent(name)}`, { method: 'POST', body, headers });

describe('POST /upload on the local gateway', () => {
  let gw: LocalGateway;
  beforeAll(async () => {
    gw = await gateway({ CHAT_UPLOAD_MAX_BYTES: '2000' });
  }, 120_000);

  it('ingests a Markdown file: added, then unchanged, then replaced', async () => {
    const first = await post(gw, 'notes/kiwi.md', '# Kiwi\n\nThe kiwi rota changes on Fridays.');
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ source: 'notes/kiwi.md', outcome: 'added' });
    const again = await post(gw, 'notes/kiwi.md', '# Kiwi\n\nThe kiwi rota changes on Fridays.');
    expect(await again.json()).toMatchObject({ outcome: 'unchanged' });
    const changed = await post(gw, 'notes/kiwi.md', '# Kiwi\n\nThe kiwi rota changes on Mondays.');
    expect(await changed.json()).toMatchObject({ outcome: 'replaced' });
    const doc = await gw.tools.readDocument('notes/kiwi.md');
    expect(doc?.text).toContain('Mondays');
  });

  it("reads a PDF to text with the MCP server's extraction", async () => {
    const pdf = makePdf(['The platypus escalation path starts with the duty manager.'], {
      title: 'Platypus guide',
    });
    const res = await post(gw, 'guide.pdf', pdf);
    const body = (await res.json()) as { outcome?: string; error?: string };
    expect(res.status, body.error).toBe(200);
    expect(body.outcome).toBe('added');
    const doc = await gw.tools.readDocument('guide.pdf');
    expect(doc?.text).toContain('platypus escalation path');
    expect(doc?.title).toBe('Platypus guide');
  });

  it('refuses what it cannot take, saying why', async () => {
    const big = await post(gw, 'big.md', 'x'.repeat(2001));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toMatch(/CHAT_UPLOAD_MAX_BYTES/);
    const exe = await post(gw, 'tool.exe', 'MZ');
    expect(exe.status).toBe(415);
    expect(((await exe.json()) as { error: string }).error).toMatch(/Markdown/);
    const foreign = await post(gw, 'a.md', '# a', { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await gw.tools.readDocument('a.md')).toBeUndefined();
    const get = await fetch(`${gw.url}/upload?name=a.md`);
    expect(get.status).toBe(405);
  });

  it('needs the token when CHAT_AUTH_TOKEN is set, and nothing passes with CHAT_UPLOAD=off', async () => {
    const locked = await gateway({ CHAT_AUTH_TOKEN: 'secret-token-123456' });
    expect((await post(locked, 'a.md', '# a')).status).toBe(401);
    const ok = await post(locked, 'a.md', '# a\n\nalpha', {
      authorization: 'Bearer secret-token-123456',
    });
    expect(ok.status).toBe(200);
    const off = await gateway({ CHAT_UPLOAD: 'off' });
    const refused = await post(off, 'a.md', '# a');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/CHAT_UPLOAD=off/);
  }, 120_000);
});

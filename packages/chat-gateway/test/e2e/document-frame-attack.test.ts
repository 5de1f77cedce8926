/**
 * A `document` frame built to make the gateway search a large uploaded document slowly, on the
 * REAL local gateway (POST /upload, offline engine, MCP server in-process). The snippet repeats
 * the document's words with another ending, and the document's whitespace varies so its chunks
 * do not read back as overlap: the gateway's search for where the snippet sits used to
 * backtrack at every position (2 MB: about two minutes with the event loop held, every client
 * stalled). It must answer, and other clients with it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_CHARS } from '../../src/core/document-view.js';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { ChatClient } from '../support/ws-client.js';

/** `a` repeated with seeded, varying whitespace inside a code block (kept as written). */
function hostileDocument(words: number): string {
  const gaps = [' ', '  ', '\n', '   '];
  let seed = 7;
  const parts: string[] = ['```\n'];
  for (let i = 0; i < words; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    parts.push('a', gaps[(seed >>> 16) % gaps.length]!); // high bits: the low ones cycle
  }
  parts.push('\n```\n');
  return parts.join('');
}

describe('a document frame cannot hold the gateway (real server, uploaded document)', () => {
  let dir: string;
  let gw: LocalGateway;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-docattack-'));
    gw = await startLocalGateway({
      env: { LOG_LEVEL: 'error' },
      dataDir: dir,
      port: '0',
      logger: silentLogger,
      webRoot: false,
      inMemory: true,
      cleanupIntervalMs: false,
    });
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a snippet that repeats the words of a 2 MB document, and other clients meanwhile', async () => {
    const body = hostileDocument(750_000);
    const uploaded = await fetch(`${gw.url}/upload?name=repeats.md`, { method: 'POST', body });
    expect(uploaded.status).toBe(200);
    const c = await ChatClient.open(gw.wsUrl);
    await c.next('session');
    c.send({ type: 'document', source: 'repeats.md', snippet: `${'a '.repeat(1_999)}b` });
    const other = await ChatClient.open(gw.wsUrl);
    await other.next('session');
    const doc = await c.next('document', () => true, 30_000);
    expect(doc.totalChars).toBeGreaterThan(1_000_000);
    expect(doc.text).toHaveLength(MAX_DOCUMENT_CHARS);
    expect(c.violations).toEqual([]);
    await other.close();
    await c.close();
  }, 60_000);
});

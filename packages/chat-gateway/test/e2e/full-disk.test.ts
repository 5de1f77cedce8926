import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { ChatClient } from '../support/ws-client.js';

/**
 * The chat store (the embedded record store) on a real full disk: a 24 MB tmpfs (mounting needs
 * root, as in CI) filled with files, while LevelDB's memtable is due a flush to disk (which then
 * fails in the background, after which LevelDB refuses every write until it is reopened). Turns fail with STORAGE_UNAVAILABLE and /healthz says 503
 * with the reason; once the file is deleted the store recovers by itself: turns are answered on
 * the socket that saw the errors and on a new one, and /healthz is 200 again.
 */

const isRoot = process.getuid?.() === 0;

async function healthz(
  gw: LocalGateway,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${gw.url}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Sends a message; its finish reason, or the error frame that answered it. */
async function turn(
  c: ChatClient,
  id: string,
  content = 'hello',
): Promise<string | { code: string; retryable: boolean }> {
  c.send({ type: 'message', id, content });
  const finished = c
    .next('start', (f) => f.replyTo === id, 30_000)
    .then((start) => c.next('finish', (f) => f.messageId === start.messageId, 30_000))
    .then((f) => f.finishReason as string);
  const failed = c.next('error', (e) => e.replyTo === id, 30_000);
  finished.catch(() => undefined);
  failed.catch(() => undefined);
  return Promise.race([finished, failed]);
}

/** Fills the file system with files of decreasing size until not one more byte fits. */
function fill(mount: string): void {
  for (let i = 0, size = 1024 * 1024; size >= 1;) {
    try {
      writeFileSync(join(mount, `filler-${i++}`), Buffer.alloc(size));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      size = Math.floor(size / 4);
    }
  }
}

describe.runIf(isRoot)('the chat store on a full disk (root only)', () => {
  let mount: string;
  let dataDir: string;
  let gw: LocalGateway;

  /** The size of LevelDB's current log: what its memtable holds (at least). */
  const currentLog = (): number => {
    const dir = join(dataDir, 'records');
    const logs = readdirSync(dir)
      .filter((n) => n.endsWith('.log'))
      .sort();
    return statSync(join(dir, logs.at(-1)!)).size;
  };

  beforeAll(async () => {
    mount = mkdtempSync(join(tmpdir(), 'gw-full-'));
    dataDir = join(mount, 'data');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mount]);
    gw = await startLocalGateway({
      env: { LOG_LEVEL: 'error', CHAT_FRAMES_PER_SECOND: '100' },
      dataDir,
      port: '0',
      logger: silentLogger,
      webRoot: false,
      cleanupIntervalMs: false,
      warmUp: false,
    });
  }, 60_000);
  afterAll(async () => {
    try {
      await gw?.close();
      execFileSync('umount', [mount]);
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  });

  it('refuses with STORAGE_UNAVAILABLE and healthz 503, then recovers by itself once space is freed', async () => {
    const c = await ChatClient.open(gw.wsUrl);
    await c.next('session');
    expect(await turn(c, 'before')).toBe('stop');
    expect((await healthz(gw)).status).toBe(200);

    // The in-process MCP server's records share the store: past LevelDB's 4 MiB write buffer.
    for (let i = 0; currentLog() < 4 * 1024 * 1024; i++) {
      await gw.runtime!.records.create('notes', { id: `m${i}`, text: 'x'.repeat(100_000) });
    }
    fill(mount);
    // LevelDB's log may still have room in its last page: a few turns can fit before one fails.
    let refused: { code: string; retryable: boolean } | undefined;
    for (let i = 0; i < 50 && !refused; i++) {
      const outcome = await turn(c, `full-${i}`, 'hello '.repeat(200));
      if (typeof outcome !== 'string') refused = outcome;
    }
    expect(refused).toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true });
    const down = await healthz(gw);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable' });
    expect(down.body.reason).toMatch(/refuses writes: no space left on the disk/);
    expect(JSON.stringify(down.body)).not.toContain(mount);

    execFileSync('sh', ['-c', `rm -f '${mount}'/filler-*`]);
    await expect.poll(async () => (await healthz(gw)).status, { timeout: 30_000 }).toBe(200);
    expect(await turn(c, 'after')).toBe('stop');
    const fresh = await ChatClient.open(gw.wsUrl);
    await fresh.next('session');
    expect(await turn(fresh, 'new')).toBe('stop');
    expect((await healthz(gw)).body).toMatchObject({ status: 'ok' });
    await fresh.close();
    await c.close();
  }, 180_000);
});

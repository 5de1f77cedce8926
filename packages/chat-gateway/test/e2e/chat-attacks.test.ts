import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { ChatClient } from '../support/ws-client.js';

describe('chat gateway under attack (real ws server, offline engine)', () => {
  let dataDir: string;
  let gw: LocalGateway;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-attack-'));
    gw = await startLocalGateway({
      env: {
        LOG_LEVEL: 'error',
        CHAT_FRAMES_PER_SECOND: '5',
        CHAT_MAX_CONNECTIONS_PER_IP: '20',
        CHAT_MAX_BUFFERED_BYTES: '65536',
        CHAT_HEARTBEAT_MS: '120000',
      },
      dataDir,
      port: '0',
      logger: silentLogger,
      webRoot: false,
      inMemory: true,
      cleanupIntervalMs: false,
    });
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('closes a connection that sends a frame over 128 KB (1009) and stays up for others', async () => {
    const c = await ChatClient.open(gw.wsUrl);
    await c.next('session');
    const closed = c.closed();
    c.send(JSON.stringify({ type: 'message', id: 'big', content: 'x'.repeat(130 * 1024) }));
    expect((await closed).code).toBe(1009);
    const other = await ChatClient.open(gw.wsUrl);
    await other.next('session');
    await other.close();
  });

  it('answers a flood over the rate limit with RATE_LIMITED and stays usable afterwards', async () => {
    const c = await ChatClient.open(gw.wsUrl);
    await c.next('session');
    for (let i = 0; i < 40; i++) c.send({ type: 'history', limit: 1 });
    await c.next('error', (e) => e.code === 'RATE_LIMITED');
    const limited = () => c.of('error').filter((e) => e.code === 'RATE_LIMITED').length;
    await expect.poll(() => c.of('history').length + limited(), { timeout: 10_000 }).toBe(40);
    expect(c.of('history').length).toBeLessThanOrEqual(11);
    expect(c.of('error').every((e) => e.code === 'RATE_LIMITED' && e.retryable)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_200));
    c.send({ type: 'message', id: 'after', content: 'hello' });
    expect((await c.next('finish')).finishReason).toBe('stop');
    await c.close();
  });

  it('refuses connections over the per-client cap with 503', async () => {
    const open: ChatClient[] = [];
    let refused = 0;
    for (let i = 0; i < 25; i++) {
      try {
        open.push(await ChatClient.open(gw.wsUrl));
      } catch (error) {
        expect(String(error)).toMatch(/HTTP 503/);
        refused += 1;
      }
    }
    expect(open.length).toBe(20);
    expect(refused).toBe(5);
    await Promise.all(open.map((c) => c.close()));
  });

  it('joins a socket that resumes a session to its other socket (tabs), and refuses the rotated-away token', async () => {
    const first = await ChatClient.open(gw.wsUrl);
    const s = await first.next('session');
    const second = await ChatClient.open(gw.wsUrl);
    await second.next('session');
    second.send({ type: 'resume', sessionId: s.sessionId, resumeToken: s.resumeToken });
    const resumed = await second.next('session', (f) => f.resumed);
    // The first socket stays open and is handed the rotated token in the same frame.
    expect(await first.next('session', (f) => f.resumed)).toEqual(resumed);
    second.send({ type: 'message', id: 'r', content: 'hello' });
    expect((await second.next('finish')).response.sessionId).toBe(s.sessionId);
    expect(await first.next('finish')).toEqual(await second.next('finish'));
    // A replay of the used token is refused.
    const third = await ChatClient.open(gw.wsUrl);
    await third.next('session');
    third.send({ type: 'resume', sessionId: s.sessionId, resumeToken: s.resumeToken });
    expect((await third.next('error')).code).toBe('SESSION_NOT_FOUND');
    await Promise.all([first.close(), second.close(), third.close()]);
  });

  it('closes a reader that falls behind (4002) instead of buffering without bound', async () => {
    const c = await ChatClient.open(gw.wsUrl);
    await c.next('session');
    // Ten large messages in the history, so that each history page is about 300 KB.
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 250));
      c.send({ type: 'message', id: `big${i}`, content: `${i} ${'lorem '.repeat(5_000)}` });
    }
    await expect.poll(() => c.of('finish').length, { timeout: 30_000 }).toBe(10);
    const closed = c.closed();
    // Stop reading for a while and ask for about 12 MB of pages: far more than the socket buffers
    // hold, so the server's own buffer for this socket passes its 64 KB limit. (Resume before the
    // server's 30 s closing timeout, so the close frame can still be read.)
    const raw = (c.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 210));
      c.send({ type: 'history', limit: 100 });
    }
    raw.resume();
    expect((await closed).code).toBe(4002);
  }, 120_000);
});

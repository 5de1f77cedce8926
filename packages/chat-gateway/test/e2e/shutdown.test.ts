import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalGateway } from '../../src/transports/local/start-local-gateway.js';
import { ChatClient } from '../support/ws-client.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const TURNS = 50;

describe('SIGTERM with 50 turns in flight (the chatbot-gateway process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-sigterm-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('finishes the turns it can, ends the rest with a retryable error, closes with 1001, and leaves no half-written turn', async () => {
    const child = spawn(process.execPath, [CLI, '--port', '0', '--data-dir', dataDir], {
      env: {
        ...process.env,
        LOG_LEVEL: 'error',
        CHAT_SHUTDOWN_GRACE_MS: '1500',
        CHAT_MAX_CONNECTIONS_PER_IP: '1000',
        CHAT_FRAMES_PER_SECOND: '100',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    const wsUrl = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const url = /(ws:\/\/\S+\/ws)/.exec(line)?.[1];
        if (url) resolve(url);
      });
      child.once('exit', () => reject(new Error('the gateway exited before it listened')));
    });

    const clients = await Promise.all(Array.from({ length: TURNS }, () => ChatClient.open(wsUrl)));
    const sessions = await Promise.all(clients.map((c) => c.next('session')));
    // Every turn waits for the user's approval of a destructive call: all 50 are in flight.
    clients.forEach((c, i) =>
      c.send({
        type: 'message',
        id: `t${i}`,
        content: `/call delete_record {"table":"notes","record_id":"n${i}"}`,
      }),
    );
    const asks = await Promise.all(clients.map((c) => c.next('confirm-request')));
    const closes = clients.map((c) => c.closed());

    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    // Half of the users answer during the grace period: those turns finish normally.
    clients
      .slice(0, TURNS / 2)
      .forEach((c, i) =>
        c.send({ type: 'confirm', toolCallId: asks[i]!.toolCallId, approve: false }),
      );

    const finishes = await Promise.all(clients.map((c) => c.next('finish')));
    expect(finishes.slice(0, TURNS / 2).every((f) => f.finishReason === 'stop')).toBe(true);
    expect(finishes.slice(TURNS / 2).every((f) => f.finishReason === 'cancelled')).toBe(true);
    for (const c of clients.slice(TURNS / 2)) {
      expect(c.of('error'), JSON.stringify(c.frames.map((f) => f.type))).toMatchObject([
        { code: 'SHUTTING_DOWN', retryable: true },
      ]);
    }
    expect((await Promise.all(closes)).every((c) => c.code === 1001)).toBe(true);
    expect(await exited).toBe(0);

    // Restart on the same data: every turn is stored whole (question and answer), none twice.
    const gw = await startLocalGateway({
      dataDir,
      port: '0',
      env: { LOG_LEVEL: 'error' },
      logger: silentLogger,
      webRoot: false,
      cleanupIntervalMs: false,
    });
    try {
      for (const [i, s] of sessions.entries()) {
        const stored = await gw.store.listMessages(s.sessionId, { limit: 10 });
        expect(stored.map((m) => m.messageType)).toEqual(['assistant', 'user']);
        expect(stored[0]!.finishReason).toBe(i < TURNS / 2 ? 'stop' : 'cancelled');
        // The session outlives the process: still active, so its page resumes it after the restart.
        expect((await gw.store.getSession(s.sessionId))?.isActive).toBe(true);
      }
    } finally {
      await gw.close();
    }
  }, 120_000);
});

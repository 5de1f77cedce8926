import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { runLoad } from '../../bench/ws-driver.js';
import { ChatClient } from '../support/ws-client.js';

/** CI runs the soak reduced (the full 1,000 connections run in `pnpm bench`). */
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 50);
const TURNS = Number(process.env.SOAK_TURNS ?? 4);

describe(`chat under load: ${CONNECTIONS} connections × ${TURNS} turns on a real ws server (reduced soak)`, () => {
  let dataDir: string;
  let gw: LocalGateway;
  let clock = Date.now();
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-load-'));
    gw = await startLocalGateway({
      env: {
        LOG_LEVEL: 'error',
        CHAT_FRAMES_PER_SECOND: '100',
        CHAT_MAX_CONNECTIONS_PER_IP: '5000',
      },
      dataDir,
      port: '0',
      logger: silentLogger,
      webRoot: false,
      now: () => clock,
      cleanupIntervalMs: false,
    });
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every message exactly once on its own session, persists every turn, and cleanup closes only the idle session', async () => {
    const idle = await ChatClient.open(gw.wsUrl);
    const idleSession = await idle.next('session');
    clock += 31 * 60_000; // the idle session is now past the 30-minute timeout
    const load = runLoad({
      url: gw.wsUrl,
      connections: CONNECTIONS,
      turnsPerConnection: TURNS,
      content: 'hello',
      deadlineMs: 120_000,
    });
    await new Promise((r) => setTimeout(r, 300));
    const closing = idle.closed();
    const closedCount = await gw.cleanup(); // while the load runs
    const result = await load;
    expect(closedCount).toBe(1);
    expect((await closing).code).toBe(4000);
    expect(result.errors).toEqual([]);
    expect(result.turnsSent).toBe(CONNECTIONS * TURNS);
    expect(result.turnsAnswered).toBe(CONNECTIONS * TURNS);
    expect(result.duplicated).toBe(0);
    expect(result.misrouted).toBe(0);
    expect(new Set(result.sessions).size).toBe(CONNECTIONS);
    for (const sessionId of result.sessions) {
      const stored = await gw.store.listMessages(sessionId, { limit: 100 });
      expect(stored.filter((m) => m.messageType === 'user')).toHaveLength(TURNS);
      expect(stored.filter((m) => m.messageType === 'assistant')).toHaveLength(TURNS);
      expect((await gw.store.getSession(sessionId))?.isActive).toBe(true);
    }
    expect((await gw.store.getSession(idleSession.sessionId))?.isActive).toBe(false);
  }, 300_000);
});

/**
 * Conversations without sign-in on the local gateway. On loopback with no shared token there is
 * one person at the keyboard: every anonymous conversation is theirs to list and to open without
 * its resume token (from another tab or browser). With a shared token (CHAT_AUTH_TOKEN), several
 * people share the gateway: listing is refused and only the resume token opens a session.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../src/protocol/frames.js';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { ChatClient } from '../support/ws-client.js';

const started: { gw: LocalGateway; dir: string }[] = [];
afterAll(async () => {
  for (const { gw, dir } of started) {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function gateway(env: Record<string, string>): Promise<LocalGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-anon-conv-'));
  const gw = await startLocalGateway({
    env: { CHAT_FRAMES_PER_SECOND: '100', ...env },
    dataDir: dir,
    host: '127.0.0.1',
    port: '0',
    logger: silentLogger,
    webRoot: false,
    inMemory: true,
    cleanupIntervalMs: false,
    warmUp: false,
  });
  started.push({ gw, dir });
  return gw;
}

function reply<T extends ServerFrame['type']>(
  client: ChatClient,
  frame: object,
  type: T,
): Promise<Extract<ServerFrame, { type: T }>> {
  const from = client.frames.length;
  client.send(frame);
  return client.next(type, (f) => client.frames.indexOf(f) >= from, 45_000);
}

async function converse(gw: LocalGateway, headers: Record<string, string>, question: string) {
  const client = await ChatClient.open(gw.wsUrl, { headers });
  const { sessionId } = await client.next('session');
  await reply(client, { type: 'message', id: randomUUID(), content: question }, 'finish');
  await client.close();
  return sessionId;
}

describe('conversations without sign-in', () => {
  it('on loopback with no token: one user, who lists and reopens every anonymous conversation', async () => {
    const gw = await gateway({});
    const first = await converse(gw, {}, 'First anonymous question');
    const other = await ChatClient.open(gw.wsUrl);
    await other.next('session');
    const listed = await reply(other, { type: 'conversations' }, 'conversations');
    expect(listed.items.map((c) => [c.sessionId, c.title])).toEqual([
      [first, 'First anonymous question'],
    ]);
    const resumed = await reply(other, { type: 'resume', sessionId: first }, 'session');
    expect(resumed).toMatchObject({ sessionId: first, resumed: true });
    await other.close();
  }, 120_000);

  it('with a shared token (several people): no list, and no resume without the token', async () => {
    const token = 'a-shared-token-for-the-team-0123456789';
    const headers = { authorization: `Bearer ${token}` };
    const gw = await gateway({ CHAT_AUTH_TOKEN: token });
    const first = await converse(gw, headers, 'Question from one teammate');
    const other = await ChatClient.open(gw.wsUrl, { headers });
    await other.next('session');
    const refused = await reply(other, { type: 'conversations' }, 'error');
    expect(refused.code).toBe('SIGN_IN_REQUIRED');
    const resume = await reply(other, { type: 'resume', sessionId: first }, 'error');
    expect(resume.code).toBe('SESSION_NOT_FOUND');
    await other.close();
  }, 120_000);
});

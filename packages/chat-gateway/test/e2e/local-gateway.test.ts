import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { EXAMPLE_DOCS } from '../support/core-harness.js';
import { ChatClient } from '../support/ws-client.js';

const MCP_CLI = new URL('../../../mcp-server/dist/cli.js', import.meta.url).pathname;
const WEB_ROOT = new URL('../../dist/web/', import.meta.url).pathname;

describe.each([
  ['in-process', {}],
  ['a stdio child process', { MCP_TRANSPORT: 'stdio', MCP_SERVER_COMMAND: process.execPath }],
] as const)('chat gateway on a real ws socket, MCP server %s, embedded stores', (mcp, extraEnv) => {
  let dataDir: string;
  let gw: LocalGateway;
  let clock = Date.now();
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-e2e-'));
    const env: Record<string, string | undefined> = {
      ...extraEnv,
      LOG_LEVEL: 'error',
      CHAT_FRAMES_PER_SECOND: '1000',
    };
    if (mcp !== 'in-process') env.MCP_SERVER_ARGS = `${MCP_CLI} --data-dir ${join(dataDir, 'mcp')}`;
    gw = await startLocalGateway({
      env,
      dataDir,
      port: '0',
      logger: silentLogger,
      seedDocsDir: EXAMPLE_DOCS,
      webRoot: WEB_ROOT,
      now: () => clock,
      cleanupIntervalMs: false,
    });
  }, 120_000);
  afterAll(async () => {
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /healthz', async () => {
    const res = await fetch(`${gw.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', model: null });
  });

  it('gives a cited, streamed answer about the sample documents', async () => {
    const c = await ChatClient.open(gw.wsUrl);
    const session = await c.next('session');
    expect(session.model).toBeNull();
    c.send({ type: 'message', id: 'm1', content: 'How do I roll back a deployment?' });
    const finish = await c.next('finish');
    expect(c.of('start')[0]).toMatchObject({ queryType: 'rag', replyTo: 'm1' });
    expect(c.of('source')[0]).toMatchObject({ n: 1, source: 'deployment-runbook.md' });
    expect(c.of('text-delta').length).toBeGreaterThan(0);
    expect(finish.response).toMatchObject({ sessionId: session.sessionId, queryType: 'rag' });
    expect(finish.response.sources).toContain('deployment-runbook.md');
    expect(finish.response.content).toMatch(/\[1\]/);
    expect(c.violations).toEqual([]);
    await c.close();
  });

  it('creates a record, refuses one destructive call and runs an approved one; the store agrees', async () => {
    const c = await ChatClient.open(gw.wsUrl);
    await c.next('session');
    c.send({
      type: 'message',
      id: 'a1',
      content: '/call create_record {"table":"notes","data":{"id":"e2e-1","title":"keep me?"}}',
    });
    await c.next('finish', (f) => f.response.toolsUsed.includes('create_record'));
    c.send({
      type: 'message',
      id: 'a2',
      content: '/call delete_record {"table":"notes","record_id":"e2e-1"}',
    });
    const refuse = await c.next('confirm-request');
    c.send({ type: 'confirm', toolCallId: refuse.toolCallId, approve: false });
    await c.next('finish', (f) => f.response.content.includes('did not run'));
    expect(
      (await gw.tools.callTool('read_record', { table: 'notes', record_id: 'e2e-1' })).isError,
    ).toBe(false);
    c.send({
      type: 'message',
      id: 'a3',
      content: '/call delete_record {"table":"notes","record_id":"e2e-1"}',
    });
    const approve = await c.next('confirm-request', (f) => f.toolCallId !== refuse.toolCallId);
    c.send({ type: 'confirm', toolCallId: approve.toolCallId, approve: true });
    await c.next('finish', (f) => f.response.content.includes('delete_record` done'));
    const gone = await gw.tools.callTool('read_record', { table: 'notes', record_id: 'e2e-1' });
    expect(gone.text).toMatch(/^NOT_FOUND/);
    await c.close();
  });

  it('resumes a session on a new socket with its history; another session sees none of it', async () => {
    const first = await ChatClient.open(gw.wsUrl);
    const s = await first.next('session');
    first.send({ type: 'message', id: 'r1', content: 'hello' });
    await first.next('finish');
    await first.close();
    const again = await ChatClient.open(gw.wsUrl);
    await again.next('session');
    again.send({ type: 'resume', sessionId: s.sessionId, resumeToken: s.resumeToken });
    const resumed = await again.next('session', (f) => f.resumed);
    expect(resumed.sessionId).toBe(s.sessionId);
    again.send({ type: 'history' });
    const history = await again.next('history');
    expect(history.messages.map((m) => m.role)).toEqual(['assistant', 'user']);
    expect(history.messages[1]).toMatchObject({ content: 'hello', clientMessageId: 'r1' });

    const stranger = await ChatClient.open(gw.wsUrl);
    await stranger.next('session');
    stranger.send({ type: 'resume', sessionId: s.sessionId, resumeToken: s.resumeToken });
    expect((await stranger.next('error')).code).toBe('SESSION_NOT_FOUND');
    stranger.send({
      type: 'message',
      id: 'x1',
      content: `/call list_records {"table":"conversations","partition_key_value":"${s.sessionId}"}`,
    });
    const refused = await stranger.next('tool-result');
    expect(refused).toMatchObject({ isError: true });
    expect(refused.text).toMatch(/only this chat session/);
    const finish = await stranger.next('finish');
    expect(finish.response.content).toMatch(/did not run/);
    expect(finish.response.content).not.toContain('hello');
    expect(refused.text).not.toContain('hello');
    stranger.send({ type: 'history' });
    expect((await stranger.next('history')).messages.every((m) => m.content !== 'hello')).toBe(
      true,
    );
    await again.close();
    await stranger.close();
  });

  it('closes only inactive sessions on cleanup (fake clock)', async () => {
    const idle = await ChatClient.open(gw.wsUrl);
    await idle.next('session');
    const busy = await ChatClient.open(gw.wsUrl);
    await busy.next('session');
    clock += 20 * 60_000;
    busy.send({ type: 'message', id: 'b1', content: 'hello' });
    await busy.next('finish');
    clock += 15 * 60_000; // idle: 35 min without activity; busy: 15 min
    const closing = idle.closed();
    expect(await gw.cleanup()).toBeGreaterThanOrEqual(1);
    expect((await closing).code).toBe(4000);
    busy.send({ type: 'message', id: 'b2', content: 'hello' });
    expect(
      (
        await busy.next(
          'finish',
          (f) => f.response.content.length > 0 && busy.of('finish').length === 2,
        )
      ).finishReason,
    ).toBe('stop');
    await busy.close();
  });
});

describe('chat gateway upgrade checks', () => {
  let dataDir: string;
  let gw: LocalGateway;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-auth-'));
    gw = await startLocalGateway({
      env: { CHAT_AUTH_TOKEN: 'sekret-token-123', LOG_LEVEL: 'error' },
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

  it('refuses a missing or wrong token (401) and a foreign Origin (403) before the handshake', async () => {
    await expect(ChatClient.open(gw.wsUrl)).rejects.toThrow('HTTP 401');
    await expect(ChatClient.open(`${gw.wsUrl}?token=wrong`)).rejects.toThrow('HTTP 401');
    await expect(
      ChatClient.open(`${gw.wsUrl}?token=sekret-token-123`, {
        headers: { Origin: 'https://evil.example' },
      }),
    ).rejects.toThrow('HTTP 403');
    const ok = await ChatClient.open(gw.wsUrl, {
      headers: { Authorization: 'Bearer sekret-token-123', Origin: 'http://127.0.0.1:8080' },
    });
    await ok.next('session');
    await ok.close();
  });
});

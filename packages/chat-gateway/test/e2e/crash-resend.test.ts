import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalGateway } from '../../src/transports/local/start-local-gateway.js';
import {
  chunk,
  openAiText,
  openAiToolCalls,
  startFakeOpenAiServer,
  type FakeOpenAiServer,
} from '../support/fake-openai-server.js';
import { ChatClient } from '../support/ws-client.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const route = openAiToolCalls([
  { id: 'r', name: 'choose_route', fragments: ['{"route":"general","reason":"chat"}'] },
]);

describe('kill -9 mid-turn, then a restart on the same data (the chatbot-gateway process, a local server speaking streamed OpenAI chat completions)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-crash-'));
  let fake: FakeOpenAiServer;
  beforeAll(async () => {
    fake = await startFakeOpenAiServer();
  });
  afterAll(async () => {
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers the same message id sent again after the restart, once, without a second copy in the history', async () => {
    const env = { LOG_LEVEL: 'error', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'slow' };
    const child = spawn(process.execPath, [CLI, '--port', '0', '--data-dir', dataDir], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const wsUrl = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const url = /(ws:\/\/\S+\/ws)/.exec(line)?.[1];
        if (url) resolve(url);
      });
      child.once('exit', () => reject(new Error('the gateway exited before it listened')));
    });

    // A slow model: it starts the answer, then stalls.
    fake.enqueue(
      { items: route },
      {
        items: [
          chunk({ role: 'assistant', content: '' }),
          chunk({ content: 'Once' }),
          { stall: true },
        ],
      },
    );
    const before = await ChatClient.open(wsUrl);
    const session = await before.next('session');
    before.send({ type: 'message', id: 'story-1', content: 'tell me a story' });
    await before.next('text-delta', undefined, 30_000);
    // The user message is written while the answer starts; give it time to land.
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGKILL');
    await exited;

    const gw = await startLocalGateway({
      dataDir,
      port: '0',
      env,
      logger: silentLogger,
      webRoot: false,
      cleanupIntervalMs: false,
    });
    try {
      const after = await ChatClient.open(gw.wsUrl);
      await after.next('session');
      after.send({
        type: 'resume',
        sessionId: session.sessionId,
        resumeToken: session.resumeToken,
      });
      await after.next('session', (s) => s.resumed);
      fake.enqueue({ items: route }, { items: openAiText(['Once upon a time.']) });
      after.send({ type: 'message', id: 'story-1', content: 'tell me a story' });
      const finish = await after.next('finish', undefined, 30_000);
      // The answer the kill cut off may be said to be interrupted (on the resume, unless the
      // resend already runs it); no other error.
      expect(after.of('error').map((e) => e.code)).toEqual(
        after.of('error').length === 0 ? [] : ['INTERRUPTED'],
      );
      expect(finish).toMatchObject({
        finishReason: 'stop',
        response: { content: 'Once upon a time.' },
      });

      after.send({ type: 'history' });
      const history = await after.next('history');
      expect(history.messages.map((m) => [m.role, m.clientMessageId])).toEqual([
        ['assistant', 'story-1'],
        ['user', 'story-1'],
      ]);
      // The answer replies to the user message stored before the crash.
      expect(history.messages[0]!.replyTo).toBe(history.messages[1]!.messageId);
      // Answered now: sent a third time, it is a duplicate.
      after.send({ type: 'message', id: 'story-1', content: 'tell me a story' });
      expect(await after.next('error', (e) => e.code !== 'INTERRUPTED')).toMatchObject({
        code: 'DUPLICATE_MESSAGE',
      });
      await after.close();
    } finally {
      await gw.close();
    }
  }, 120_000);
});

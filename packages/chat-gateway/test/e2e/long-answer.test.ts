import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ANSWER_BYTES } from '../../src/engine/answer-limit.js';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import {
  chunk,
  openAiToolCalls,
  startFakeOpenAiServer,
  usageChunk,
  type FakeOpenAiServer,
} from '../support/fake-openai-server.js';
import { ChatClient } from '../support/ws-client.js';

const route = (r: string) =>
  openAiToolCalls([
    { id: 'r', name: 'choose_route', fragments: [JSON.stringify({ route: r, reason: 'x' })] },
  ]);

/** A model ignoring max_tokens: `kib` KiB of text in 4 KiB chunks, then `stop`. */
function longAnswer(kib: number, unit = 'a') {
  const piece = unit.repeat(Math.floor(4096 / Buffer.byteLength(unit, 'utf8')));
  return [
    chunk({ role: 'assistant', content: '' }),
    ...Array.from({ length: kib / 4 }, () => chunk({ content: piece })),
    chunk({}, 'stop'),
    usageChunk(),
  ];
}

describe('a 1 MiB answer from a model ignoring max_tokens (a local server speaking streamed OpenAI chat completions; real gateway, embedded store)', () => {
  let dataDir: string;
  let fake: FakeOpenAiServer;
  let gw: LocalGateway;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-long-'));
    fake = await startFakeOpenAiServer();
    gw = await startLocalGateway({
      env: {
        LOG_LEVEL: 'error',
        OPENAI_BASE_URL: fake.url,
        OPENAI_MODEL: 'runaway',
        CHAT_FRAMES_PER_SECOND: '100',
      },
      dataDir,
      port: '0',
      logger: silentLogger,
      webRoot: false,
      cleanupIntervalMs: false,
    });
  }, 120_000);
  afterAll(async () => {
    await gw?.close();
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('streams up to the answer limit, finishes with length and a note, and stores what was shown', async () => {
    fake.enqueue({ items: route('general') }, { items: longAnswer(1024) });
    const c = await ChatClient.open(gw.wsUrl);
    await c.next('session');
    c.send({ type: 'message', id: 'long', content: 'write forever' });
    const finish = await c.next('finish', undefined, 60_000);
    expect(c.of('error')).toEqual([]);
    expect(finish.finishReason).toBe('length');
    const streamed = c
      .of('text-delta')
      .map((d) => d.delta)
      .join('');
    expect(Buffer.byteLength(streamed, 'utf8')).toBeLessThan(MAX_ANSWER_BYTES + 200);
    expect(streamed).toMatch(/The answer was cut here: it passed the limit of 256 KB/);
    expect(finish.response.content).toBe(streamed);

    c.send({ type: 'history' });
    const history = await c.next('history');
    expect(history.messages.map((m) => m.role)).toEqual(['assistant', 'user']);
    expect(history.messages[0]).toMatchObject({ content: streamed, finishReason: 'length' });
    await c.close();
  }, 90_000);

  it('keeps an answer of multi-byte text under the limit whole', async () => {
    fake.enqueue({ items: route('general') }, { items: longAnswer(200, '語') });
    const c = await ChatClient.open(gw.wsUrl);
    await c.next('session');
    c.send({ type: 'message', id: 'cjk', content: 'write a lot of Japanese' });
    const finish = await c.next('finish', undefined, 60_000);
    expect(finish.finishReason).toBe('stop');
    expect(finish.response.content).not.toMatch(/cut/);
    c.send({ type: 'history' });
    expect((await c.next('history')).messages[0]!.content).toBe(finish.response.content);
    await c.close();
  }, 90_000);
});

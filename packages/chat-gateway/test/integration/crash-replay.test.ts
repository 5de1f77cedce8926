/**
 * A local gateway killed mid-answer (kill -9: no drain, nothing flushed on the way out), then a
 * new one on the same store: a resume replays the finished turn from the frame log, and the
 * answer that was cut off is marked INTERRUPTED, never silently lost. The "processes" are two
 * gateways in one test process over one embedded store; the first is simply abandoned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, expect, it } from 'vitest';
import { buildChatServices } from '../../src/app/chat-services.js';
import { openChatStore } from '../../src/app/open-chat-store.js';
import { loadGatewayConfig } from '../../src/config.js';
import { ChatGateway } from '../../src/core/chat-gateway.js';
import type { ChatModel, ModelEvent, ModelRequest } from '../../src/ports/chat-model.js';
import type { ToolClient } from '../../src/ports/tool-client.js';
import { RecordingChannel } from '../support/fake-channel.js';
import { answerTo, SlowModel } from '../support/slow-model.js';
import { seqOf } from '../../src/protocol/frames.js';

/** Answers like SlowModel, except that a message containing "hang" stalls after two tokens. */
class HangingModel implements ChatModel {
  readonly id = 'hanging:test';
  private readonly slow = new SlowModel(1);
  async *stream(request: ModelRequest): AsyncGenerator<ModelEvent> {
    const text = JSON.stringify(request.messages.at(-1));
    let n = 0;
    for await (const event of this.slow.stream(request)) {
      if (!request.toolChoice && text.includes('hang') && ++n > 2) await new Promise(() => {});
      yield event;
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), 'chat-crash-'));
const tools = { listTools: () => Promise.resolve([]) } as unknown as ToolClient;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gateway(chatStore: Awaited<ReturnType<typeof openChatStore>>): ChatGateway {
  const config = loadGatewayConfig({}, { dataDir: dir });
  const s = buildChatServices({
    config,
    chatStore,
    tools,
    logger: silentLogger,
    model: new HangingModel(),
  });
  return new ChatGateway({
    engine: s.engine,
    sessions: s.sessions,
    store: s.store,
    logger: silentLogger,
    newId: s.newId,
    retentionDays: 1,
    approvalTimeoutMs: 5_000,
    framesPerSecond: 1_000,
    sequence: s.sequence,
    frameLog: s.frameLog,
  });
}

it('after a crash: the finished turn replays, the cut-off answer is marked INTERRUPTED, seq never reused', async () => {
  const chatStore = await openChatStore({
    env: {},
    dataDir: dir,
    logger: silentLogger,
    inMemory: true,
  });
  const first = gateway(chatStore);
  const a = new RecordingChannel('a');
  await first.open(a, {});
  const session = await a.next('session');
  await first.receive(a, JSON.stringify({ type: 'message', id: 'done', content: 'finished #3' }));
  await a.next('finish');
  await first.receive(a, JSON.stringify({ type: 'message', id: 'cut', content: 'hang #9' }));
  await a.next('text-delta', (d) => a.of('text-delta').indexOf(d) >= 5);
  const highest = Math.max(...a.frames.map((f) => seqOf(f) ?? 0));
  // kill -9: the first gateway is abandoned as it is (its answer hangs, nothing is drained).

  const second = gateway(chatStore);
  const b = new RecordingChannel('b');
  await second.open(b, {});
  await b.next('session');
  await second.receive(
    b,
    JSON.stringify({
      type: 'resume',
      sessionId: session.sessionId,
      resumeToken: session.resumeToken,
      lastSeq: 0,
    }),
  );
  await b.next('session', (f) => f.resumed);
  const interrupted = await b.next('error', (e) => e.code === 'INTERRUPTED');
  expect(interrupted).toMatchObject({ replyTo: 'cut', retryable: true });
  const replayedFinish = b.of('finish')[0];
  expect(replayedFinish?.response.content).toBe(answerTo('finished #3'));
  // The new process numbers after everything the dead one may have used.
  expect(interrupted.seq).toBeGreaterThan(highest);
  const resumed = b.of('session').find((f) => f.resumed)!;
  expect(resumed.seq).toBeGreaterThan(highest);
  await chatStore.close();
});

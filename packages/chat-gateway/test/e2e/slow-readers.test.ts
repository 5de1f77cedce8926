import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ANSWER_BYTES } from '../../src/engine/answer-limit.js';
import type { ChatModel, ModelEvent, ModelRequest } from '../../src/ports/chat-model.js';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { ChatClient } from '../support/ws-client.js';
import { ScriptedModel } from '../support/scripted-model.js';

const CAP = 1024 * 1024;
const READERS = 3;
const DELTA = 'lorem ipsum ';
/**
 * Deltas of a long answer: more than one answer may stream (the engine cuts it at
 * MAX_ANSWER_BYTES of text, ~2 MB of ~90-byte frames), and of one short enough to store.
 */
const LONG = 250_000;
const SHORT = 10_000;
/** Deltas one answer streams at most. */
const PER_ANSWER = Math.ceil(MAX_ANSWER_BYTES / DELTA.length);
/**
 * Long questions each reader sends: a paused loopback reader takes over 10 MB into the kernel
 * before the server holds anything, so one answer cannot reach the cap; its queued turns can.
 */
const TURNS = 15;

/** Deltas the model produced, over all turns: stops growing once the readers are closed. */
let produced = 0;

/**
 * Routes to a general answer, then streams it in token-sized deltas, pausing now and then as a
 * model over the network does. "long": as long as the engine lets it be; otherwise a short answer.
 */
const model: ChatModel = {
  id: 'scripted:slow-readers',
  async *stream(request: ModelRequest): AsyncGenerator<ModelEvent> {
    if (request.toolChoice) {
      yield* ScriptedModel.toolUse('choose_route', { route: 'general', reason: 'test' });
      return;
    }
    const question = JSON.stringify(request.messages.at(-1)?.content ?? '');
    const deltas = question.includes('long') ? LONG : SHORT;
    for (let i = 0; i < deltas; i++) {
      if (request.signal?.aborted) return;
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
      produced += 1;
      yield { type: 'text-delta', text: DELTA };
    }
    yield { type: 'finish', reason: 'stop' };
  },
};

describe('slow readers (clients that stop reading while an answer streams)', () => {
  let gw: LocalGateway;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-slow-'));
    gw = await startLocalGateway({
      env: {
        LOG_LEVEL: 'error',
        CHAT_MAX_BUFFERED_BYTES: String(CAP),
        CHAT_HEARTBEAT_MS: '120000',
        CHAT_FRAMES_PER_SECOND: '100',
      },
      dataDir,
      port: '0',
      logger: silentLogger,
      webRoot: false,
      inMemory: true,
      cleanupIntervalMs: false,
      warmUp: false,
      model,
    });
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('closes each with 4002, holds at most the cap for each, and stops their answers', async () => {
    const readers: ChatClient[] = [];
    for (let i = 0; i < READERS; i++) readers.push(await ChatClient.open(gw.wsUrl));
    const closed = readers.map((c) => c.closed());
    for (const [i, reader] of readers.entries()) {
      await reader.next('session');
      // Stop reading: what the server sends piles up in the kernel, then in the server.
      (reader.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      for (let t = 0; t < TURNS; t++) {
        reader.send({ type: 'message', id: `long-${i}-${t}`, content: 'tell me the long story' });
      }
    }
    await expect
      .poll(() => gw.serverStats().slowReadersClosed, { timeout: 60_000, interval: 100 })
      .toBe(READERS);
    await expect.poll(() => gw.gateway.activeTurns, { timeout: 30_000 }).toBe(0);
    // The answers stopped with their readers instead of being generated (and held) in full.
    expect(produced).toBeLessThan(READERS * TURNS * PER_ANSWER);

    const stats = gw.serverStats();
    // Bytes: the cap plus at most one frame over it. Frames: the queue merges the deltas, so
    // a reader holds a few large frames, not one small one per delta (before: the socket buffer
    // alone held the cap in ~90-byte frames, some 11,000).
    expect(stats.peakQueuedBytes).toBeLessThanOrEqual(CAP + 64 * 1024);
    expect(stats.peakQueuedFrames).toBeLessThan(2_000);

    for (const reader of readers) {
      (reader.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    }
    for (const close of closed) expect((await close).code).toBe(4002);
    await expect.poll(() => gw.serverStats().queuedBytes).toBe(0);
  }, 120_000);

  it('a client that keeps reading gets the whole answer, in order', async () => {
    const reader = await ChatClient.open(gw.wsUrl);
    await reader.next('session');
    const before = produced;
    reader.send({ type: 'message', id: 'short-read', content: 'tell me a story' });
    const finish = await reader.next('finish', () => true, 60_000);
    expect(finish.finishReason).toBe('stop');
    const streamed = reader
      .of('text-delta')
      .map((f) => f.delta)
      .join('');
    expect(streamed).toBe(DELTA.repeat(SHORT));
    expect(produced - before).toBe(SHORT);
    await reader.close();
  }, 120_000);
});

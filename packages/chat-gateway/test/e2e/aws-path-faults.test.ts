import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALLOWED_ORIGIN, startAwsPath, type AwsPath } from '../support/apigw-aws-path.js';
import { converseText, converseRoute } from '../support/fake-bedrock-converse-server.js';
import { ChatClient } from '../support/ws-client.js';

const origin = { headers: { origin: ALLOWED_ORIGIN } };

/** Text, then nothing more: the model hangs mid-answer. */
const stalled = (text: string) => ({
  items: [
    { event: 'messageStart', body: { role: 'assistant' } },
    { event: 'contentBlockDelta', body: { contentBlockIndex: 0, delta: { text } } },
    { stall: true as const },
  ],
});

/** The engine function's timeout here, and the margin it keeps to end a turn cleanly. */
const ENGINE_TIMEOUT_MS = 8_000;
const DEADLINE_MARGIN_MS = 5_000;

async function until(
  test: () => boolean | Promise<boolean>,
  what: string,
  ms = 15_000,
): Promise<void> {
  for (const end = Date.now() + ms; !(await test()); await sleep(50))
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

/** The session's stored messages for one client message id (via the `history` frame). */
async function stored(c: ChatClient, clientMessageId: string) {
  const before = c.of('history').length;
  c.send({ type: 'history', limit: 100 });
  await until(() => c.of('history').length > before, 'the history');
  return c.of('history')[before]!.messages.filter((m) => m.clientMessageId === clientMessageId);
}

async function session(aws: AwsPath): Promise<ChatClient> {
  const c = await ChatClient.open(aws.url(), origin);
  await c.next('session');
  return c;
}

describe('AWS path faults through a local API Gateway WebSocket emulator (Lambda Invoke emulator with timeouts, DynamoDB Local on files, killed and restarted; fake Bedrock ConverseStream server; fake Secrets Manager)', () => {
  let aws: AwsPath;
  beforeAll(async () => {
    aws = await startAwsPath({
      persistent: true,
      timeouts: { 'chatbot-engine': ENGINE_TIMEOUT_MS },
      env: { TURN_DEADLINE_MARGIN_MS: String(DEADLINE_MARGIN_MS), CHAT_DETACHED_TURN_SECONDS: '1' },
    });
  }, 120_000);
  afterAll(async () => {
    await aws?.close();
  });

  it('the model throttles (HTTP 429 ThrottlingException) before streaming: retried, answered once', async () => {
    aws.bedrock.reset();
    aws.bedrock.enqueue(
      converseRoute('general'),
      { status: 429, errorType: 'ThrottlingException', message: 'Too many requests, slow down.' },
      { items: converseText(['Answered ', 'after the throttle.']) },
    );
    const c = await session(aws);
    c.send({ type: 'message', id: 't1', content: 'Say something' });
    const finish = await c.next('finish');
    expect(finish).toMatchObject({
      finishReason: 'stop',
      response: { content: 'Answered after the throttle.' },
    });
    expect(c.of('error')).toEqual([]);
    expect(c.of('text-delta').map((d) => d.delta)).toEqual(['Answered ', 'after the throttle.']);
    expect(aws.bedrock.requests).toHaveLength(3);
    const messages = await stored(c, 't1');
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ['assistant', 'Answered after the throttle.'],
      ['user', 'Say something'],
    ]);
    expect(c.violations).toEqual([]);
    await c.close();
  });

  it('the model throttles mid-stream after text was sent: MODEL_UNAVAILABLE (retryable), finish "error", the partial answer stored once', async () => {
    aws.bedrock.reset();
    aws.bedrock.enqueue(converseRoute('general'), {
      items: [
        { event: 'messageStart', body: { role: 'assistant' } },
        {
          event: 'contentBlockDelta',
          body: { contentBlockIndex: 0, delta: { text: 'The first half' } },
        },
        { exception: 'throttlingException', message: 'Too many tokens, please wait.' },
      ],
    });
    const c = await session(aws);
    c.send({ type: 'message', id: 't2', content: 'Tell me more' });
    const finish = await c.next('finish');
    expect(c.of('error')).toEqual([
      expect.objectContaining({ code: 'MODEL_UNAVAILABLE', retryable: true, replyTo: 't2' }),
    ]);
    expect(finish).toMatchObject({
      finishReason: 'error',
      response: { content: 'The first half' },
    });
    // Not retried after text went out (the client would see it twice).
    expect(aws.bedrock.requests).toHaveLength(2);
    const messages = await stored(c, 't2');
    expect(messages).toEqual([
      expect.objectContaining({
        role: 'assistant',
        content: 'The first half',
        finishReason: 'error',
      }),
      expect.objectContaining({ role: 'user', content: 'Tell me more' }),
    ]);
    expect(c.violations).toEqual([]);
    await c.close();
  });

  it('the model stalls past the turn deadline: the turn is stopped before the function times out, the partial answer kept, the next message answered', async () => {
    aws.bedrock.reset();
    aws.bedrock.enqueue(converseRoute('general'), stalled('Still thinking'));
    const c = await session(aws);
    c.send({ type: 'message', id: 's1', content: 'A question the model hangs on' });
    const finish = await c.next('finish', () => true, ENGINE_TIMEOUT_MS + 5_000);
    expect(c.of('error')).toEqual([
      expect.objectContaining({ code: 'TURN_TIMEOUT', retryable: true, replyTo: 's1' }),
    ]);
    expect(finish).toMatchObject({
      finishReason: 'cancelled',
      response: { content: 'Still thinking' },
    });
    await until(() => aws.bedrock.openStreams() === 0, 'the model stream to be closed');
    await aws.lambda.settled();
    // The invocation ended by itself, within the function's timeout.
    expect(aws.lambda.timedOut).toEqual([]);
    expect(await stored(c, 's1')).toEqual([
      expect.objectContaining({ role: 'assistant', content: 'Still thinking' }),
      expect.objectContaining({ role: 'user' }),
    ]);

    aws.bedrock.enqueue(converseRoute('general'), { items: converseText(['Back to normal.']) });
    c.send({ type: 'message', id: 's2', content: 'And now?' });
    await until(() => c.of('finish').length === 2, 'the second answer');
    expect(c.of('finish')[1]).toMatchObject({
      finishReason: 'stop',
      response: { content: 'Back to normal.' },
    });
    await c.close();
  }, 30_000);

  it('DynamoDB Local killed: messages get a retryable STORAGE_UNAVAILABLE, nothing half-written; restarted on the same port, the same message is answered once', async () => {
    aws.bedrock.reset();
    const c = await session(aws);
    await aws.dynamo.kill();
    try {
      c.send({ type: 'message', id: 'd1', content: 'Are you there?' });
      expect(await c.next('error', (e) => e.replyTo === 'd1')).toMatchObject({
        code: 'STORAGE_UNAVAILABLE',
        retryable: true,
      });
      c.send({ type: 'history' });
      expect(await c.next('error', (e) => e.replyTo === 'history')).toMatchObject({
        code: 'STORAGE_UNAVAILABLE',
        retryable: true,
      });
      // A new connection is refused (its session cannot be stored), not half-opened, and the
      // $connect function logs why (captured here: it is the expected log, not test output).
      const logged: string[] = [];
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        logged.push(String(chunk));
        return true;
      });
      try {
        await expect(ChatClient.open(aws.url(), origin)).rejects.toThrow('HTTP 500');
      } finally {
        stderr.mockRestore();
      }
      expect(
        logged
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>),
      ).toContainEqual(
        expect.objectContaining({
          level: 'error',
          msg: 'websocket route failed',
          route: '$connect',
          error: expect.objectContaining({ name: 'StorageError' }) as unknown,
        }),
      );
      expect(aws.bedrock.requests).toEqual([]);
    } finally {
      await aws.dynamo.restart();
    }

    // The socket stayed open; the message that failed was not claimed, so it can be resent.
    aws.bedrock.enqueue(converseRoute('general'), { items: converseText(['Yes, back again.']) });
    c.send({ type: 'message', id: 'd1', content: 'Are you there?' });
    const finish = await c.next('finish');
    expect(finish).toMatchObject({
      finishReason: 'stop',
      response: { content: 'Yes, back again.' },
    });
    const messages = await stored(c, 'd1');
    expect(messages.map((m) => m.role)).toEqual(['assistant', 'user']);
    // The handlers keep serving new connections too.
    const fresh = await session(aws);
    await fresh.close();
    expect(aws.lambda.timedOut).toEqual([]);
    await c.close();
  }, 90_000);

  it('DynamoDB Local killed while a turn is streaming: the turn ends with STORAGE_UNAVAILABLE, no answer half-stored, the worker does not hang', async () => {
    aws.bedrock.reset();
    aws.bedrock.enqueue(converseRoute('general'), stalled('Half an answer'));
    const c = await session(aws);
    c.send({ type: 'message', id: 'k1', content: 'A long one, please' });
    await c.next('text-delta');
    await aws.dynamo.kill();
    try {
      // The deadline stops the stalled turn; storing its answer fails while the store is down.
      const error = await c.next('error', (e) => e.replyTo === 'k1', ENGINE_TIMEOUT_MS + 5_000);
      expect(error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true });
      await aws.lambda.settled();
      expect(aws.lambda.timedOut).toEqual([]);
    } finally {
      await aws.dynamo.restart();
    }
    // The user's message was stored before the store went away; no partial answer was.
    const messages = await stored(c, 'k1');
    expect(messages.map((m) => m.role)).toEqual(['user']);
    expect(c.of('finish')).toEqual([]);
    await c.close();
  }, 90_000);

  it('a client that disconnects mid-stream: the generation stops at the detach deadline; the invocation ends within its timeout', async () => {
    aws.bedrock.reset();
    aws.bedrock.enqueue(converseRoute('general'), stalled('Going'));
    const c = await session(aws);
    c.send({ type: 'message', id: 'g1', content: 'Talk to me' });
    await c.next('text-delta');
    await c.close();
    await until(() => aws.bedrock.openStreams() === 0, 'the model stream to be aborted');
    await aws.lambda.settled();
    expect(aws.lambda.timedOut).toEqual([]);
  });
});

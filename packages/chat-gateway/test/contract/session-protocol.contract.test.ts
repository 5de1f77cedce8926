/**
 * One protocol suite, two paths: the local core and the AWS handlers (in-process, see
 * `protocol-paths.ts`). Whatever a client sees must not depend on where the gateway runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seqOf, type ServerFrame } from '../../src/protocol/frames.js';
import type { RecordingChannel } from '../support/fake-channel.js';
import {
  lambdaPath,
  localPath,
  type PathClient,
  type ProtocolPath,
} from '../support/protocol-paths.js';
import { answerTo } from '../support/slow-model.js';

function session(c: RecordingChannel): Extract<ServerFrame, { type: 'session' }> {
  const s = c.frames.find((f) => f.type === 'session');
  if (!s || s.type !== 'session') throw new Error('no session frame');
  return s;
}

/** The text of the answer to `clientId` as streamed in deltas. */
function streamed(c: RecordingChannel, clientId: string): string {
  const start = c.of('start').find((f) => f.replyTo === clientId);
  if (!start) return '';
  return c
    .of('text-delta')
    .filter((d) => d.messageId === start.messageId)
    .map((d) => d.delta)
    .join('');
}

function seqs(c: RecordingChannel): number[] {
  return c.frames.map((f) => seqOf(f) ?? -1);
}

async function ready(path: ProtocolPath): Promise<PathClient> {
  const client = await path.connect();
  await client.channel.next('session');
  return client;
}

describe.each([
  ['local core', localPath],
  ['AWS handlers', lambdaPath],
])('session protocol contract: %s', (_, make) => {
  let path: ProtocolPath;
  beforeAll(async () => {
    path = await make();
  });
  afterAll(async () => {
    await path.close();
  });

  it('numbers every frame of the session from 1 without gaps, across turns', async () => {
    const c = await ready(path);
    await c.send({ type: 'message', id: 'a1', content: 'first #5' });
    await c.channel.next('finish');
    await c.send({ type: 'message', id: 'a2', content: 'second #3' });
    await c.channel.next('finish', (f) => f.response.content === answerTo('second #3'));
    expect(streamed(c.channel, 'a1')).toBe(answerTo('first #5'));
    expect(seqs(c.channel)).toEqual(c.channel.frames.map((_, i) => i + 1));
  });

  it('answers a repeated message id with DUPLICATE_MESSAGE, once and the same on both paths', async () => {
    const c = await ready(path);
    await c.send({ type: 'message', id: 'd1', content: 'once #2' });
    await c.channel.next('finish');
    await c.send({ type: 'message', id: 'd1', content: 'once #2' });
    const error = await c.channel.next('error');
    expect(error).toMatchObject({ code: 'DUPLICATE_MESSAGE', replyTo: 'd1', retryable: false });
    expect(error.message).toBe(
      'Message d1 was already received; it is answered once (see the history).',
    );
    expect(c.channel.of('start')).toHaveLength(1);
  });

  it('runs two quick messages of a session one after the other, in order', async () => {
    const c = await ready(path);
    await c.send({ type: 'message', id: 'q1', content: 'one #20' });
    await c.send({ type: 'message', id: 'q2', content: 'two #2' });
    await c.channel.next('finish', () => c.channel.of('finish').length === 2, 20_000);
    const types = c.channel.frames.map((f) => f.type);
    // The second answer starts only after the first finished.
    expect(types.indexOf('finish')).toBeLessThan(types.lastIndexOf('start'));
    expect(c.channel.of('start').map((s) => s.replyTo)).toEqual(['q1', 'q2']);
    expect(streamed(c.channel, 'q1')).toBe(answerTo('one #20'));
    expect(streamed(c.channel, 'q2')).toBe(answerTo('two #2'));
  });

  it('answers a cancel of an answer that is not running with NOT_FOUND', async () => {
    const c = await ready(path);
    await c.send({ type: 'cancel', messageId: 'nothing' });
    expect(await c.channel.next('error')).toMatchObject({ code: 'NOT_FOUND', replyTo: 'cancel' });
  });

  it('cancels a running answer: finish cancelled, what was said kept', async () => {
    const c = await ready(path);
    await c.send({ type: 'message', id: 'c1', content: 'long #400' });
    await c.channel.next('text-delta');
    await c.send({ type: 'cancel', messageId: 'c1' });
    const finish = await c.channel.next('finish', () => true, 20_000);
    expect(finish.finishReason).toBe('cancelled');
    expect(finish.response.content.length).toBeLessThan(answerTo('long #400').length);
  });

  it('answers a confirm for no waiting call with NOT_FOUND', async () => {
    const c = await ready(path);
    await c.send({ type: 'confirm', toolCallId: 'nope', approve: true });
    expect(await c.channel.next('error')).toMatchObject({ code: 'NOT_FOUND', replyTo: 'confirm' });
  });

  it('pages the history the same way', async () => {
    const c = await ready(path);
    await c.send({ type: 'message', id: 'h1', content: 'remember #1' });
    await c.channel.next('finish');
    await c.send({ type: 'history', limit: 1 });
    const page = await c.channel.next('history');
    expect(page.messages).toHaveLength(1);
    expect(page.messages[0]).toMatchObject({ role: 'assistant', content: answerTo('remember #1') });
    expect(page.before).toBe(page.messages[0]!.messageId);
  });

  it('resumes with the token: seq continues where the session was, another session is refused', async () => {
    const first = await ready(path);
    await first.send({ type: 'message', id: 'r1', content: 'before #2' });
    await first.channel.next('finish');
    const last = seqOf(first.channel.frames.at(-1)!)!;
    const { sessionId, resumeToken } = session(first.channel);
    await first.drop();
    const second = await ready(path);
    await second.send({ type: 'resume', sessionId, resumeToken: 'A'.repeat(43) });
    expect(await second.channel.next('error')).toMatchObject({ code: 'SESSION_NOT_FOUND' });
    await second.send({ type: 'resume', sessionId, resumeToken, lastSeq: last });
    const resumed = await second.channel.next('session', (f) => f.resumed);
    expect(resumed.sessionId).toBe(sessionId);
    expect(resumed.seq).toBe(last + 1);
    await second.send({ type: 'message', id: 'r2', content: 'after #2' });
    const finish = await second.channel.next('finish');
    expect(finish.seq).toBeGreaterThan(last + 1);
  });

  it('answers a message sent the moment the resumed session frame arrives, in the resumed session', async () => {
    const first = await ready(path);
    await first.send({ type: 'message', id: 'e1', content: 'earlier #2' });
    await first.channel.next('finish');
    const { sessionId, resumeToken } = session(first.channel);
    const last = seqOf(first.channel.frames.at(-1)!)!;
    await first.drop();
    const second = await ready(path);
    // Not awaited: the client does not wait for the replay before it speaks.
    const resuming = second.send({ type: 'resume', sessionId, resumeToken, lastSeq: last });
    await second.channel.next('session', (f) => f.resumed);
    await second.send({ type: 'message', id: 'e2', content: 'right away #2' });
    await resuming;
    const finish = await second.channel.next('finish');
    expect(finish.response).toMatchObject({ sessionId, content: answerTo('right away #2') });
  });

  it('refuses a lastSeq from the future clearly, keeping the session', async () => {
    const first = await ready(path);
    const { sessionId, resumeToken } = session(first.channel);
    await first.drop();
    const second = await ready(path);
    await second.send({ type: 'resume', sessionId, resumeToken, lastSeq: 999 });
    await second.channel.next('session', (f) => f.resumed);
    const error = await second.channel.next('error');
    expect(error).toMatchObject({ code: 'SEQ_AHEAD', replyTo: 'resume', retryable: false });
    expect(error.message).toMatch(/lastSeq 999 is ahead .* Reload the history/);
  });

  it('refuses text with a lone surrogate in every frame field it can hide in; the chat goes on', async () => {
    const c = await ready(path);
    const { sessionId } = session(c.channel);
    const bad = [
      { type: 'message', id: 'u1', content: 'half an emoji \ud83d' },
      { type: 'conversation-rename', sessionId, title: '\udc00 title' },
      { type: 'conversations', query: 'x\ud800' },
      { type: 'document', source: '\ud800' },
    ];
    for (const frame of bad) await c.send(frame);
    await expect.poll(() => c.channel.of('error').length).toBe(bad.length);
    expect(c.channel.of('error').map((e) => [e.code, e.message])).toEqual([
      [
        'INVALID_FRAME',
        expect.stringMatching(
          /^message: content contains an unpaired UTF-16 surrogate \(at index 14\)/,
        ),
      ],
      ['INVALID_FRAME', expect.stringMatching(/^conversation-rename: title contains an unpaired/)],
      ['INVALID_FRAME', expect.stringMatching(/^conversations: query contains an unpaired/)],
      ['INVALID_FRAME', expect.stringMatching(/^document: source contains an unpaired/)],
    ]);
    expect(c.channel.of('start')).toEqual([]);
    // A whole emoji (a surrogate pair) is text like any other.
    await c.send({ type: 'message', id: 'u2', content: 'a whole emoji \ud83d\ude00 #2' });
    const finish = await c.channel.next('finish');
    expect(finish.response.content).toBe(answerTo('a whole emoji \ud83d\ude00 #2'));
  });
});

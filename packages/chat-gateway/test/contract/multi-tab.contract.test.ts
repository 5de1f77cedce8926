/**
 * Several tabs on one session, on both paths (the local core and the AWS handlers, see
 * `protocol-paths.ts`): a second connection that resumes a session joins it, every attached
 * connection gets every live frame with the same `seq`, and any tab may cancel or approve.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seqOf, type ServerFrame } from '../../src/protocol/frames.js';
import type { ToolClient } from '../../src/ports/tool-client.js';
import type { RecordingChannel } from '../support/fake-channel.js';
import {
  lambdaPath,
  localPath,
  type PathClient,
  type ProtocolPath,
} from '../support/protocol-paths.js';
import { answerTo } from '../support/slow-model.js';

/** One destructive tool, so that a `/call` asks for approval; the calls it got are counted. */
function wipeTool(): ToolClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    listTools: () =>
      Promise.resolve([
        {
          name: 'wipe_notes',
          description: 'Deletes every note.',
          inputSchema: { type: 'object', properties: {} },
          annotations: { destructiveHint: true },
        },
      ]),
    callTool: (name) => {
      calls.push(name);
      return Promise.resolve({ isError: false, text: 'wiped' });
    },
    readDocument: () => Promise.resolve(undefined),
    close: () => Promise.resolve(),
  };
}

/** The newest `session` frame the tab got: the token it holds now. */
function latest(c: RecordingChannel): Extract<ServerFrame, { type: 'session' }> {
  const s = c.of('session').at(-1);
  if (!s) throw new Error('no session frame');
  return s;
}

/** The frames after the tab's `session` frame numbered `seq` (the live ones both tabs got). */
function after(c: RecordingChannel, seq: number): ServerFrame[] {
  return c.frames.filter((f) => (seqOf(f) ?? 0) > seq);
}

function streamed(c: RecordingChannel, clientId: string): string {
  const start = c.of('start').find((f) => f.replyTo === clientId);
  if (!start) return '';
  return c
    .of('text-delta')
    .filter((d) => d.messageId === start.messageId)
    .map((d) => d.delta)
    .join('');
}

async function ready(path: ProtocolPath): Promise<PathClient> {
  const client = await path.connect();
  await client.channel.next('session');
  return client;
}

/** Tab A on a new session, tab B joined to it with A's token. */
async function twoTabs(path: ProtocolPath): Promise<{ a: PathClient; b: PathClient; at: number }> {
  const a = await ready(path);
  const { sessionId, resumeToken } = latest(a.channel);
  const b = await ready(path);
  await b.send({ type: 'resume', sessionId, resumeToken });
  const joined = await b.channel.next('session', (f) => f.resumed);
  return { a, b, at: joined.seq! };
}

describe.each([
  ['local core', localPath],
  ['AWS handlers', lambdaPath],
])('several tabs on one session: %s', (_, make) => {
  let path: ProtocolPath;
  const tools = wipeTool();
  beforeAll(async () => {
    path = await make({ tools });
  });
  afterAll(async () => {
    await path.close();
  });

  it('streams a message from tab A to both tabs with identical frames and seqs', async () => {
    const { a, b, at } = await twoTabs(path);
    // The first tab stays attached and gets the rotated token in the very same frame.
    const rotated = await a.channel.next('session', (f) => f.resumed);
    expect(rotated).toEqual(latest(b.channel));
    expect(a.channel.closedWith).toBeUndefined();
    await a.send({ type: 'message', id: 'm1', content: 'both #12' });
    await a.channel.next('finish');
    await b.channel.next('finish');
    expect(streamed(b.channel, 'm1')).toBe(answerTo('both #12'));
    expect(after(b.channel, at)).toEqual(after(a.channel, at));
    const seqs = after(b.channel, at).map((f) => seqOf(f));
    expect(seqs).toEqual(seqs.map((_, i) => at + 1 + i));
  });

  it("keeps replies to one tab out of the session's numbering: the other tab sees no gap", async () => {
    const { a, b, at } = await twoTabs(path);
    await a.send({ type: 'message', id: 'g1', content: 'first #3' });
    await a.channel.next('finish');
    await b.channel.next('finish');
    // Tab B asks for things only it gets: history, conversations (or the error refusing them),
    // feedback on the answer, a cancel of nothing.
    const answer = b.channel.of('finish')[0]!;
    await b.send({ type: 'history' });
    await b.send({ type: 'conversations' });
    await b.send({ type: 'feedback', messageId: answer.messageId, rating: 'up' });
    await b.send({ type: 'cancel', messageId: 'nothing-runs' });
    await b.channel.next('history');
    await b.channel.next('feedback');
    await b.channel.next('error', (f) => f.replyTo === 'cancel');
    // Conversations: a page, or SIGN_IN_REQUIRED for an anonymous caller; either is a reply.
    for (let i = 0; i < 500; i++) {
      if (
        b.channel.frames.some(
          (f) =>
            f.type === 'conversations' || (f.type === 'error' && f.replyTo === 'conversations'),
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await a.send({ type: 'message', id: 'g2', content: 'second #3' });
    await a.channel.next('finish', (f) => f.messageId !== answer.messageId);
    await b.channel.next('finish', (f) => f.messageId !== answer.messageId);
    const replies = b.channel.frames.filter((f) =>
      ['history', 'conversations', 'feedback', 'error'].includes(f.type),
    );
    expect(replies).toHaveLength(4);
    expect(replies.map((f) => seqOf(f))).toEqual(replies.map(() => undefined));
    // Both tabs: every number after the join, none missing, the same frames.
    const seqs = after(a.channel, at).map((f) => seqOf(f));
    expect(seqs).toEqual(seqs.map((_, i) => at + 1 + i));
    expect(after(b.channel, at)).toEqual(after(a.channel, at));
  });

  it("lets tab B cancel tab A's answer", async () => {
    const { a, b } = await twoTabs(path);
    await a.send({ type: 'message', id: 'c1', content: 'long #400' });
    await b.channel.next('text-delta');
    await b.send({ type: 'cancel', messageId: 'c1' });
    const onA = await a.channel.next('finish', () => true, 20_000);
    const onB = await b.channel.next('finish', () => true, 20_000);
    expect(onA.finishReason).toBe('cancelled');
    expect(onB).toEqual(onA);
    expect(b.channel.of('error')).toEqual([]);
  });

  it("lets tab B approve tab A's tool call", async () => {
    const { a, b } = await twoTabs(path);
    const before = tools.calls.length;
    await a.send({ type: 'message', id: 't1', content: '/call wipe_notes {}' });
    const request = await b.channel.next('confirm-request');
    expect(await a.channel.next('confirm-request')).toEqual(request);
    await b.send({ type: 'confirm', toolCallId: request.toolCallId, approve: true });
    const onA = await a.channel.next('finish', () => true, 20_000);
    expect(onA.response.content).toMatch(/wipe_notes` done/);
    expect(tools.calls.length).toBe(before + 1);
    expect(b.channel.of('error')).toEqual([]);
  });

  it('keeps streaming to tab B after tab A closes', async () => {
    const { a, b } = await twoTabs(path);
    await a.send({ type: 'message', id: 'g1', content: 'goes on #80' });
    await b.channel.next('text-delta');
    await a.drop();
    const finish = await b.channel.next('finish', () => true, 20_000);
    expect(finish.finishReason).not.toBe('cancelled');
    expect(streamed(b.channel, 'g1')).toBe(answerTo('goes on #80'));
  });

  it('refuses a resume with a token rotated away, and the rotated one works from any tab', async () => {
    const a = await ready(path);
    const { sessionId, resumeToken: first } = latest(a.channel);
    const b = await ready(path);
    await b.send({ type: 'resume', sessionId, resumeToken: first });
    await b.channel.next('session', (f) => f.resumed);
    const c = await ready(path);
    await c.send({ type: 'resume', sessionId, resumeToken: first });
    expect(await c.channel.next('error')).toMatchObject({ code: 'SESSION_NOT_FOUND' });
    // Tab A was not locked out: it holds the new token.
    await a.drop();
    const { resumeToken: current } = latest(a.channel);
    expect(current).not.toBe(first);
    const again = await ready(path);
    await again.send({ type: 'resume', sessionId, resumeToken: current });
    expect(await again.channel.next('session', (f) => f.resumed)).toMatchObject({ sessionId });
  });

  it('keeps a session open for its other tab when one tab switches to another session', async () => {
    const { a, b } = await twoTabs(path);
    const other = await ready(path);
    const elsewhere = latest(other.channel);
    await other.drop();
    await a.send({
      type: 'resume',
      sessionId: elsewhere.sessionId,
      resumeToken: elsewhere.resumeToken,
    });
    await a.channel.next('session', (f) => f.resumed && f.sessionId === elsewhere.sessionId);
    // Tab B reconnects to the session A left, with the token it holds.
    const { sessionId, resumeToken } = latest(b.channel);
    await b.drop();
    const back = await ready(path);
    await back.send({ type: 'resume', sessionId, resumeToken });
    expect(await back.channel.next('session', (f) => f.resumed)).toMatchObject({ sessionId });
  });

  it('caps a session at 8 connections, and drops a dead one on a failed send', async () => {
    const first = await ready(path);
    const { sessionId } = latest(first.channel);
    const tabs = [first];
    for (let i = 1; i < 8; i++) {
      const tab = await ready(path);
      await tab.send({ type: 'resume', sessionId, resumeToken: latest(first.channel).resumeToken });
      await tab.channel.next('session', (f) => f.resumed);
      tabs.push(tab);
    }
    const ninth = await ready(path);
    const token = latest(first.channel).resumeToken;
    await ninth.send({ type: 'resume', sessionId, resumeToken: token });
    const full = await ninth.channel.next('error');
    expect(full).toMatchObject({ code: 'SESSION_FULL', replyTo: 'resume', retryable: false });
    expect(full.message).toMatch(/open in 8 tabs .* close one of them/);
    // Refused before the token rotated: nobody was locked out.
    expect(latest(first.channel).resumeToken).toBe(token);
    // A half-open socket: the client is gone but the server was never told.
    tabs[7]!.channel.gone = true;
    await first.send({ type: 'message', id: 'x1', content: 'prune #2' });
    await first.channel.next('finish');
    await ninth.send({ type: 'resume', sessionId, resumeToken: token });
    expect(await ninth.channel.next('session', (f) => f.resumed)).toMatchObject({ sessionId });
  });
});

/**
 * "Is anyone still attached?" with several tabs on one session, on both paths: the session's
 * attached connections (local) and its connection set (AWS) decide it, never the one connection
 * the session record names. A tab closing while another watches detaches nothing; only when
 * every tab is gone does a running answer stop at the detach deadline; the inactivity cleanup
 * closes only the tabs still on the session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingChannel } from '../support/fake-channel.js';
import {
  lambdaPath,
  localPath,
  type PathClient,
  type ProtocolPath,
} from '../support/protocol-paths.js';
import { answerTo } from '../support/slow-model.js';
import { seqOf, type ServerFrame } from '../../src/protocol/frames.js';

/** Far below the answers' length (hundreds of 10 ms tokens). */
const DETACHED_MS = 300;

function latest(c: RecordingChannel): Extract<ServerFrame, { type: 'session' }> {
  const s = c.of('session').at(-1);
  if (!s) throw new Error('no session frame');
  return s;
}

async function ready(path: ProtocolPath): Promise<PathClient> {
  const client = await path.connect();
  await client.channel.next('session');
  return client;
}

/** Tab A opens a session, tab B (the newest) joins it with A's token. */
async function twoTabs(path: ProtocolPath): Promise<{ a: PathClient; b: PathClient }> {
  const a = await ready(path);
  const { sessionId, resumeToken } = latest(a.channel);
  const b = await ready(path);
  await b.send({ type: 'resume', sessionId, resumeToken });
  await b.channel.next('session', (f) => f.resumed);
  await a.channel.next('session', (f) => f.resumed);
  return { a, b };
}

/** The text of the answer to `clientId` from the frames, each seq counted once. */
function textOf(frames: readonly ServerFrame[], clientId: string): string {
  const start = frames.find((f) => f.type === 'start' && f.replyTo === clientId);
  if (start?.type !== 'start') return '';
  const seen = new Set<number>();
  let text = '';
  for (const f of frames)
    if (f.type === 'text-delta' && f.messageId === start.messageId && !seen.has(f.seq!)) {
      seen.add(f.seq!);
      text += f.delta;
    }
  return text;
}

/** Joins `clientId`'s session on a new connection with the token the tab holds. */
async function rejoin(
  path: ProtocolPath,
  holder: RecordingChannel,
  lastSeq?: number,
): Promise<PathClient> {
  const { sessionId, resumeToken } = latest(holder);
  const back = await ready(path);
  await back.send({
    type: 'resume',
    sessionId,
    resumeToken,
    ...(lastSeq !== undefined && { lastSeq }),
  });
  await back.channel.next('session', (f) => f.resumed && f.sessionId === sessionId, 20_000);
  return back;
}

describe.each([
  ['local core', localPath],
  ['AWS handlers', lambdaPath],
])('tabs leaving a session: %s', (_, make) => {
  let path: ProtocolPath;
  beforeAll(async () => {
    path = await make({ tokenMs: 10, detachedTurnMs: DETACHED_MS });
  });
  afterAll(async () => {
    await path.close();
  });

  it('the newest tab closes while the first watches: the answer runs past the detach deadline to its end', async () => {
    const { a, b } = await twoTabs(path);
    await a.send({ type: 'message', id: 'n1', content: 'watched #150' });
    await b.channel.next('text-delta');
    await b.drop();
    const finish = await a.channel.next('finish', () => true, 30_000);
    expect(finish.finishReason).not.toBe('cancelled');
    expect(a.channel.of('error')).toEqual([]);
    expect(textOf(a.channel.frames, 'n1')).toBe(answerTo('watched #150'));
  });

  it('the first tab closes, the newest drops and resumes: its token works, the replay fills the gap, seq has no holes', async () => {
    const { a, b } = await twoTabs(path);
    await b.send({ type: 'message', id: 'n2', content: 'resumed #120' });
    await a.channel.next('text-delta');
    await a.drop();
    await b.channel.next('text-delta', (f) => f.delta === ' w10');
    const lastSeq = Math.max(...b.channel.frames.map((f) => seqOf(f) ?? 0));
    await b.drop();
    const back = await rejoin(path, b.channel, lastSeq);
    const finish = await back.channel.next('finish', () => true, 30_000);
    expect(finish.finishReason).not.toBe('cancelled');
    const frames = [...b.channel.frames, ...back.channel.frames];
    expect(textOf(frames, 'n2')).toBe(answerTo('resumed #120'));
    const seqs = [...new Set(frames.map((f) => seqOf(f)).filter((s) => s !== undefined))].sort(
      (x, y) => x - y,
    );
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    expect(back.channel.of('error')).toEqual([]);
  });

  it('both tabs close at once and one comes back before the deadline: the answer is not stopped', async () => {
    const { a, b } = await twoTabs(path);
    await a.send({ type: 'message', id: 'n3', content: 'together #200' });
    await a.channel.next('text-delta');
    await Promise.all([a.drop(), b.drop()]);
    const back = await rejoin(path, a.channel, 0);
    const finish = await back.channel.next('finish', () => true, 30_000);
    expect(finish.finishReason).not.toBe('cancelled');
    expect(back.channel.of('error')).toEqual([]);
    expect(textOf(back.channel.frames, 'n3')).toBe(answerTo('together #200'));
  });

  it('every tab closes and nobody comes back: the answer stops at the deadline (DETACHED)', async () => {
    const { a, b } = await twoTabs(path);
    await a.send({ type: 'message', id: 'n4', content: 'abandoned #300' });
    await b.channel.next('text-delta');
    await a.drop();
    await b.drop();
    await new Promise((r) => setTimeout(r, DETACHED_MS * 5));
    const back = await rejoin(path, b.channel, 0);
    const finish = await back.channel.next('finish', () => true, 30_000);
    expect(finish.finishReason).toBe('cancelled');
    expect(await back.channel.next('error')).toMatchObject({ code: 'DETACHED', replyTo: 'n4' });
  });

  it('the inactivity cleanup closes the tabs on the session, not a tab that moved to another one', async () => {
    const { a, b } = await twoTabs(path);
    const left = latest(a.channel).sessionId;
    // Tab B (the last to resume the session) switches to another conversation.
    const other = await ready(path);
    const elsewhere = latest(other.channel);
    await other.drop();
    await b.send({ type: 'resume', ...pick(elsewhere) });
    await b.channel.next('session', (f) => f.resumed && f.sessionId === elsewhere.sessionId);
    // An hour later B is busy there; nothing happened on the session it left.
    path.advanceClock!(60 * 60_000);
    await b.send({ type: 'message', id: 'n5', content: 'still here #3' });
    await b.channel.next('finish');
    await new Promise((r) => setTimeout(r, 100)); // the activity write is not awaited
    const closed = await path.cleanup!();
    expect(closed).toContain(left);
    expect(closed).not.toContain(elsewhere.sessionId);
    expect(a.channel.closedWith).toBeDefined();
    expect(b.channel.closedWith).toBeUndefined();
    expect(b.channel.gone).toBe(false);
    await b.send({ type: 'message', id: 'n6', content: 'and now #3' });
    expect(
      (await b.channel.next('finish', (f) => f.response.content.startsWith('and now')))
        .finishReason,
    ).not.toBe('cancelled');
  });
});

function pick(s: { sessionId: string; resumeToken: string }): {
  sessionId: string;
  resumeToken: string;
} {
  return { sessionId: s.sessionId, resumeToken: s.resumeToken };
}

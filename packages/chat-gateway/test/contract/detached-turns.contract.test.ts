/**
 * When nobody comes back: an answer whose client left goes on until the detach deadline, then
 * stops as a cancel does (kept, with a DETACHED error saying why); a resume after the resume
 * window replays nothing (the history has the answers). Both paths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPath, localPath, type ProtocolPath } from '../support/protocol-paths.js';
import { ResumingClient } from '../support/resuming-client.js';
import { answerTo } from '../support/slow-model.js';

describe.each([
  ['local core', localPath],
  ['AWS handlers', lambdaPath],
])('detached answers: %s', (_, make) => {
  let path: ProtocolPath;
  let noWindow: ProtocolPath;
  beforeAll(async () => {
    path = await make({ tokenMs: 10, detachedTurnMs: 300 });
    noWindow = await make({ tokenMs: 1, resumeWindowSeconds: 0 });
  });
  afterAll(async () => {
    await path.close();
    await noWindow.close();
  });

  it('goes on after the socket closed, then stops at the deadline: cancelled, DETACHED, what was said kept', async () => {
    const client = await ResumingClient.open(path);
    await client.send({ type: 'message', id: 'away', content: 'long #1000' });
    await client.until((a) => a.some((f) => f.type === 'text-delta'));
    const gone = client.applied.length;
    // Leave without resuming for longer than the deadline, then come back.
    await client.reconnectAfter(1_500);
    await client.until((a) => a.some((f) => f.type === 'finish'), 20_000);
    const finish = client.applied.find((f) => f.type === 'finish');
    expect(finish).toMatchObject({ finishReason: 'cancelled' });
    const error = client.applied.find((f) => f.type === 'error');
    expect(error).toMatchObject({ code: 'DETACHED', replyTo: 'away', retryable: false });
    // It went on after the close: more deltas than the client had seen.
    const deltas = client.applied.filter((f) => f.type === 'text-delta').length;
    expect(deltas).toBeGreaterThan(gone);
    if (finish?.type === 'finish') {
      expect(answerTo('long #1000').startsWith(finish.response.content)).toBe(true);
      expect(finish.response.content.length).toBeLessThan(answerTo('long #1000').length);
    }
  });

  it('replays nothing outside the resume window; the answer comes back through history', async () => {
    const client = await ResumingClient.open(noWindow);
    await client.send({ type: 'message', id: 'old', content: 'short #3' });
    await client.until((a) => a.some((f) => f.type === 'text-delta'));
    const before = client.applied.length;
    await client.reconnectAfter(300);
    await client.send({ type: 'history', limit: 2 });
    await client.until((a) => a.some((f) => f.type === 'history'));
    const after = client.applied.slice(before);
    expect(after.map((f) => f.type)).toEqual(['session', 'history']);
    const history = after[1];
    if (history?.type !== 'history') throw new Error('no history');
    expect(history.messages[0]).toMatchObject({ role: 'assistant', content: answerTo('short #3') });
  });
});

import { describe, expect, it } from 'vitest';
import { cachedReads } from '../../../src/adapters/local/cached-reads.js';
import type { DirectRequest, DirectResponse } from '../../../src/adapters/local/dynalite-direct.js';

/** A store behind the cache: one stored value, every request counted, answers released by hand. */
function fakeStore() {
  let value = 'v1';
  const sent: string[] = [];
  const held: (() => void)[] = [];
  let hold = false;
  const request: DirectRequest = (operation, body) => {
    sent.push(`${operation} ${body}`);
    const answer = (): DirectResponse => {
      if (operation === 'PutItem') value = body;
      if (operation === 'GetItem' && body === 'missing') return { status: 400, body: 'error' };
      return { status: 200, body: operation === 'GetItem' ? value : '{}' };
    };
    if (!hold) return Promise.resolve(answer());
    return new Promise((resolve) => held.push(() => resolve(answer())));
  };
  return {
    request,
    sent,
    holdAnswers: (on: boolean) => (hold = on),
    releaseAll: () => held.splice(0).forEach((release) => release()),
  };
}

describe('cachedReads', () => {
  it('answers a GetItem read again without sending it to the store', async () => {
    const store = fakeStore();
    const request = cachedReads(store.request);
    expect(await request('GetItem', 'k')).toEqual({ status: 200, body: 'v1' });
    expect(await request('GetItem', 'k')).toEqual({ status: 200, body: 'v1' });
    expect(store.sent).toEqual(['GetItem k']);
  });

  it('reads from the store again after any write', async () => {
    const store = fakeStore();
    const request = cachedReads(store.request);
    await request('GetItem', 'k');
    await request('PutItem', 'v2');
    expect(await request('GetItem', 'k')).toEqual({ status: 200, body: 'v2' });
    await request('UpdateItem', 'x');
    await request('GetItem', 'k');
    expect(store.sent.filter((s) => s.startsWith('GetItem'))).toHaveLength(3);
  });

  it('does not keep a read that overlapped a write', async () => {
    const store = fakeStore();
    const request = cachedReads(store.request);
    store.holdAnswers(true);
    const read = request('GetItem', 'k');
    const write = request('PutItem', 'v2');
    store.releaseAll();
    await Promise.all([read, write]);
    store.holdAnswers(false);
    expect(await request('GetItem', 'k')).toEqual({ status: 200, body: 'v2' });
  });

  it('never keeps errors, other reads, or answers over the size limit; drops the least recent', async () => {
    const store = fakeStore();
    const request = cachedReads(store.request, { maxEntries: 2, maxBodyChars: 2 });
    await request('GetItem', 'missing');
    await request('GetItem', 'missing');
    await request('Query', 'q');
    await request('Query', 'q');
    await request('GetItem', 'a');
    await request('GetItem', 'b');
    await request('GetItem', 'c'); // drops a
    await request('GetItem', 'b');
    await request('GetItem', 'a');
    expect(store.sent).toEqual([
      'GetItem missing',
      'GetItem missing',
      'Query q',
      'Query q',
      'GetItem a',
      'GetItem b',
      'GetItem c',
      'GetItem a',
    ]);
    const big = cachedReads(fakeStore().request, { maxBodyChars: 1 });
    expect(await big('GetItem', 'k')).toEqual({ status: 200, body: 'v1' });
  });

  it('gives each caller its own answer object', async () => {
    const request = cachedReads(fakeStore().request);
    const first = await request('GetItem', 'k');
    first.body = 'changed by a caller';
    expect((await request('GetItem', 'k')).body).toBe('v1');
  });
});

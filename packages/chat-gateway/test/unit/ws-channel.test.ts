import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { ClientGoneError } from '../../src/errors.js';
import type { ServerFrame } from '../../src/protocol/frames.js';
import { WsChannel } from '../../src/transports/local/ws-channel.js';

/**
 * A stand-in for a `ws` socket whose buffer the test fills and drains: on loopback the kernel
 * takes tens of MiB from a paused reader, too much to reach the queue through a real socket in
 * a unit test (the e2e slow-readers test does that).
 */
class FakeSocket {
  readonly OPEN = 1;
  readonly CONNECTING = 0;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: ServerFrame[] = [];
  closed?: { code: number; reason: string };
  private callbacks: (() => void)[] = [];

  send(data: string, cb?: () => void): void {
    this.sent.push(JSON.parse(data) as ServerFrame);
    if (cb) this.callbacks.push(cb);
  }

  close(code: number, reason: string): void {
    this.closed = { code, reason };
    this.readyState = 2;
  }

  /** The kernel took everything: the buffer is empty and every write callback runs. */
  drain(): void {
    this.bufferedAmount = 0;
    const callbacks = this.callbacks;
    this.callbacks = [];
    for (const cb of callbacks) cb();
  }
}

const delta = (text: string, messageId = 'm1'): ServerFrame => ({
  type: 'text-delta',
  messageId,
  delta: text,
});

function channel(cap = 1024 * 1024): { socket: FakeSocket; ch: WsChannel; slow: () => number } {
  const socket = new FakeSocket();
  let slowReaders = 0;
  const ch = new WsChannel('c1', socket as unknown as WebSocket, cap, () => (slowReaders += 1));
  return { socket, ch, slow: () => slowReaders };
}

describe('WsChannel: queue for slow readers', () => {
  it('writes straight to the socket while it keeps up', async () => {
    const { socket, ch } = channel();
    await ch.send(delta('a'));
    await ch.send(delta('b'));
    expect(socket.sent).toEqual([delta('a'), delta('b')]);
    expect(ch.queuedBytes).toBe(0);
  });

  it('queues once the socket holds 64 KiB, merges deltas of one message, and flushes in order', async () => {
    const { socket, ch } = channel();
    await ch.send(delta('first'));
    socket.bufferedAmount = 64 * 1024;
    for (let i = 0; i < 1_000; i++) await ch.send(delta(`${i},`));
    await ch.send({ type: 'source', messageId: 'm1', n: 1, source: 's', snippet: 'x', score: 1 });
    await ch.send(delta('after-source'));
    await ch.send(delta('other message', 'm2'));
    expect(socket.sent).toHaveLength(1);
    expect(ch.queuedFrames).toBe(4 + 1); // 4 queued, 1 unsent in the socket

    socket.drain();
    const expected = Array.from({ length: 1_000 }, (_, i) => `${i},`).join('');
    expect(socket.sent.map((f) => (f.type === 'text-delta' ? f.delta : f.type))).toEqual([
      'first',
      expected,
      'source',
      'after-source',
      'other message',
    ]);
    expect(socket.sent.at(-1)).toMatchObject({ messageId: 'm2' });
    expect(ch.queuedBytes).toBe(0);
    // Later frames go straight out again.
    socket.drain();
    await ch.send(delta('live'));
    expect(socket.sent.at(-1)).toEqual(delta('live'));
  });

  it('does not change the frames it was given when it merges', async () => {
    const { socket, ch } = channel();
    socket.bufferedAmount = 64 * 1024;
    const first = delta('a');
    await ch.send(first);
    await ch.send(delta('b'));
    expect(first).toEqual(delta('a'));
  });

  it('past the cap: drops the queue, closes with 4002 and rejects with ClientGoneError', async () => {
    const cap = 128 * 1024;
    const { socket, ch, slow } = channel(cap);
    socket.bufferedAmount = 64 * 1024;
    const chunk = 'x'.repeat(1_000);
    let error: unknown;
    for (let i = 0; i < 200 && !error; i++) {
      await ch.send(delta(chunk)).catch((e: unknown) => {
        error = e;
      });
    }
    expect(error).toBeInstanceOf(ClientGoneError);
    expect(socket.closed?.code).toBe(4002);
    expect(slow()).toBe(1);
    expect(ch.peakQueuedBytes).toBeGreaterThan(cap);
    expect(ch.peakQueuedBytes).toBeLessThanOrEqual(cap + 2 * chunk.length); // one frame over
    expect(ch.queuedBytes).toBe(socket.bufferedAmount); // the queue itself is gone
    await expect(ch.send(delta('late'))).rejects.toBeInstanceOf(ClientGoneError);
  });

  it('close() sends what was queued before the close frame', async () => {
    const { socket, ch } = channel();
    socket.bufferedAmount = 64 * 1024;
    await ch.send(delta('a'));
    await ch.send(delta('b'));
    await ch.close(4000, 'session closed');
    expect(socket.sent).toEqual([delta('ab')]);
    expect(socket.closed).toEqual({ code: 4000, reason: 'session closed' });
  });
});

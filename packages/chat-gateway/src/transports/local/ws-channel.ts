import type { WebSocket } from 'ws';
import { ClientGoneError } from '../../errors.js';
import type { ClientChannel } from '../../ports/client-channel.js';
import type { ServerFrame } from '../../protocol/frames.js';

/** Close code for a reader that fell too far behind (memory stays bounded). */
export const CLOSE_SLOW_READER = 4002;

/**
 * Bytes the socket may hold before frames wait here instead. Node only buffers in the socket
 * once the kernel's send buffer is full, so a client that keeps up never gets near it.
 */
const SOCKET_HIGH_WATER = 64 * 1024;

/** Frames waiting for the socket, with their size as sent (UTF-8 bytes of the JSON). */
interface Waiting {
  frame: ServerFrame;
  bytes: number;
}

/**
 * A `ws` socket as the core's channel. Sends do not wait for the network. A client that reads
 * slowly gets its frames through a queue here rather than the socket's own buffer, because
 * Node keeps each write as a separate chunk: at a 4 MiB cap a paused reader held 44,000 small
 * text-delta frames (88,000 chunks), ~40 MiB of RSS. In the queue, consecutive text deltas of one message merge into one
 * frame, and what is queued here plus what the socket holds is capped: past the cap the
 * queue is dropped and the connection closed with 4002, so the close frame follows at most
 * what the socket already held.
 */
export class WsChannel implements ClientChannel {
  private readonly waiting: Waiting[] = [];
  private waitingBytes = 0;
  /** Frames written to the socket that it has not handed to the kernel yet. */
  private unsent = 0;
  /** The most bytes this connection ever held in the server (queue plus socket buffer). */
  peakQueuedBytes = 0;
  /** The most frames it ever held: each costs bookkeeping on top of its bytes. */
  peakQueuedFrames = 0;

  constructor(
    readonly connectionId: string,
    private readonly socket: WebSocket,
    private readonly maxBufferedBytes: number,
    /** Told when the connection is closed for reading too slowly. */
    private readonly onSlowReader: () => void = () => undefined,
  ) {}

  /** Bytes held in the server for this client: queued here plus the socket's buffer. */
  get queuedBytes(): number {
    return this.waitingBytes + this.socket.bufferedAmount;
  }

  /** Frames held in the server for this client: queued here plus unsent in the socket. */
  get queuedFrames(): number {
    return this.waiting.length + this.unsent;
  }

  send(frame: ServerFrame): Promise<void> {
    if (this.socket.readyState !== this.socket.OPEN) {
      return Promise.reject(new ClientGoneError(this.connectionId));
    }
    if (this.waiting.length === 0 && this.socket.bufferedAmount < SOCKET_HIGH_WATER) {
      this.write(JSON.stringify(frame));
      return Promise.resolve();
    }
    this.enqueue(frame);
    if (this.notePeak() > this.maxBufferedBytes) {
      this.waiting.length = 0;
      this.waitingBytes = 0;
      this.socket.close(
        CLOSE_SLOW_READER,
        'reader too slow: the server buffer for this connection is full',
      );
      this.onSlowReader();
      return Promise.reject(new ClientGoneError(this.connectionId));
    }
    return Promise.resolve();
  }

  close(code: number, reason: string): Promise<void> {
    // Frames already accepted go out before the close frame (at most the cap's worth).
    if (this.socket.readyState === this.socket.OPEN) {
      for (const { frame } of this.waiting.splice(0)) this.socket.send(JSON.stringify(frame));
    }
    this.waitingBytes = 0;
    if (
      this.socket.readyState === this.socket.OPEN ||
      this.socket.readyState === this.socket.CONNECTING
    ) {
      this.socket.close(code, reason);
    }
    return Promise.resolve();
  }

  private enqueue(frame: ServerFrame): void {
    const last = this.waiting.at(-1);
    if (
      frame.type === 'text-delta' &&
      last?.frame.type === 'text-delta' &&
      last.frame.messageId === frame.messageId
    ) {
      last.frame.delta += frame.delta; // our own copy (below), not the caller's frame
      const bytes = Buffer.byteLength(frame.delta);
      last.bytes += bytes;
      this.waitingBytes += bytes;
      return;
    }
    const bytes = Buffer.byteLength(JSON.stringify(frame));
    this.waiting.push({ frame: frame.type === 'text-delta' ? { ...frame } : frame, bytes });
    this.waitingBytes += bytes;
  }

  /** The write callback runs once the socket has taken the data: then the queue moves on. */
  private write(data: string): void {
    this.unsent += 1;
    this.socket.send(data, () => {
      this.unsent -= 1;
      this.flush();
    });
    this.notePeak();
  }

  /** Updates the peaks; returns the bytes held now. */
  private notePeak(): number {
    const bytes = this.queuedBytes;
    this.peakQueuedBytes = Math.max(this.peakQueuedBytes, bytes);
    this.peakQueuedFrames = Math.max(this.peakQueuedFrames, this.queuedFrames);
    return bytes;
  }

  private flush(): void {
    while (
      this.waiting.length > 0 &&
      this.socket.readyState === this.socket.OPEN &&
      this.socket.bufferedAmount < SOCKET_HIGH_WATER
    ) {
      const next = this.waiting.shift() as Waiting;
      this.waitingBytes -= next.bytes;
      this.write(JSON.stringify(next.frame));
    }
  }
}

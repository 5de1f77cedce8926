import type { WebSocket } from 'ws';
import { ClientGoneError } from '../../errors.js';
import type { ClientChannel } from '../../ports/client-channel.js';
import type { ServerFrame } from '../../protocol/frames.js';

/** Close code for a reader that fell too far behind (memory stays bounded). */
export const CLOSE_SLOW_READER = 4002;

/**
 * A `ws` socket as the core's channel. Sends do not wait for the network; when a client reads
 * too slowly and its buffer passes the limit, the connection is closed with a clear code.
 */
export class WsChannel implements ClientChannel {
  constructor(
    readonly connectionId: string,
    private readonly socket: WebSocket,
    private readonly maxBufferedBytes: number,
  ) {}

  send(frame: ServerFrame): Promise<void> {
    if (this.socket.readyState !== this.socket.OPEN) {
      return Promise.reject(new ClientGoneError(this.connectionId));
    }
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.socket.close(
        CLOSE_SLOW_READER,
        'reader too slow: the server buffer for this connection is full',
      );
      return Promise.reject(new ClientGoneError(this.connectionId));
    }
    this.socket.send(JSON.stringify(frame));
    return Promise.resolve();
  }

  close(code: number, reason: string): Promise<void> {
    if (
      this.socket.readyState === this.socket.OPEN ||
      this.socket.readyState === this.socket.CONNECTING
    ) {
      this.socket.close(code, reason);
    }
    return Promise.resolve();
  }
}

import type { ServerFrame } from '../protocol/frames.js';

/**
 * One client connection as the core sees it, whatever carries it: a `ws` socket locally,
 * an API Gateway connection id on AWS (`PostToConnection`).
 */
export interface ClientChannel {
  /** Stable for the life of the connection. */
  readonly connectionId: string;
  /**
   * Sends one frame. Rejects with `ClientGoneError` when the client is gone: the caller stops
   * the turn (what is already persisted stays).
   */
  send(frame: ServerFrame): Promise<void>;
  /** Closes the connection with a WebSocket close code. */
  close(code: number, reason: string): Promise<void>;
}

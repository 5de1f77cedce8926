import type { Socket } from 'node:net';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  STDIO_DEFAULT_MAX_BUFFER_SIZE,
  deserializeMessage,
  serializeMessage,
} from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { BoundedLines } from './bounded-lines.js';

/**
 * MCP over a connected stream socket, framed as the SDK frames stdio (one JSON-RPC message per
 * line). Both ends use it: the server that holds a data directory, once per connection, and a
 * server attached to it. Lines over the stdio limit are dropped, as on stdin.
 */
export class SocketTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private closed = false;

  constructor(private readonly socket: Socket) {}

  start(): Promise<void> {
    const lines = this.socket.pipe(
      new BoundedLines(STDIO_DEFAULT_MAX_BUFFER_SIZE, (bytes) =>
        this.onerror?.(new Error(`dropped a ${bytes}-byte line over the size limit`)),
      ),
    );
    lines.on('data', (line: Buffer) => {
      const text = line.toString('utf8').trim();
      if (text === '') return;
      let message: JSONRPCMessage;
      try {
        message = deserializeMessage(text);
      } catch (error) {
        this.onerror?.(error as Error);
        return;
      }
      this.onmessage?.(message);
    });
    this.socket.on('error', (error) => this.onerror?.(error));
    this.socket.on('close', () => this.finish());
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed || this.socket.destroyed) {
      return Promise.reject(new Error('the MCP socket is closed'));
    }
    return new Promise((resolve, reject) => {
      this.socket.write(serializeMessage(message), (error) => (error ? reject(error) : resolve()));
    });
  }

  close(): Promise<void> {
    this.socket.destroy();
    this.finish();
    return Promise.resolve();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}

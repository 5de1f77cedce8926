import WebSocket from 'ws';
import type { ServerFrame } from '../../src/protocol/frames.js';
import { FrameInbox } from './frame-inbox.js';
import { assertServerFrame } from './server-frame-check.js';

/** A real `ws` client that records frames and waits for the ones a test expects. */
export class ChatClient extends FrameInbox {
  /** Frames that broke the server-frame schema (tests assert there are none). */
  readonly violations: string[] = [];

  private constructor(readonly socket: WebSocket) {
    super(15_000);
    socket.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as ServerFrame;
      try {
        assertServerFrame(frame);
      } catch (error) {
        this.violations.push((error as Error).message);
      }
      this.receive(frame);
    });
  }

  static open(
    url: string,
    options: { headers?: Record<string, string>; localAddress?: string } = {},
  ): Promise<ChatClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        perMessageDeflate: false,
        ...(options.headers && { headers: options.headers }),
        ...(options.localAddress && { localAddress: options.localAddress }),
      });
      const client = new ChatClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  closed(): Promise<{ code: number; reason: string }> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) resolve({ code: 1006, reason: '' });
      this.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  close(): Promise<void> {
    const done = this.closed().then(() => undefined);
    this.socket.close();
    return done;
  }
}

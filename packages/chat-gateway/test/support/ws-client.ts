import WebSocket from 'ws';
import type { ServerFrame } from '../../src/protocol/frames.js';
import { assertServerFrame } from './server-frame-check.js';

/** A real `ws` client that records frames and waits for the ones a test expects. */
export class ChatClient {
  readonly frames: ServerFrame[] = [];
  /** Frames that broke the server-frame schema (tests assert there are none). */
  readonly violations: string[] = [];
  private waiters: { test: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as ServerFrame;
      try {
        assertServerFrame(frame);
      } catch (error) {
        this.violations.push((error as Error).message);
      }
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => (w.test(frame) ? (w.resolve(frame), false) : true));
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

  next<T extends ServerFrame['type']>(
    type: T,
    test: (f: Extract<ServerFrame, { type: T }>) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<Extract<ServerFrame, { type: T }>> {
    const match = (f: ServerFrame): boolean =>
      f.type === type && test(f as Extract<ServerFrame, { type: T }>);
    const found = this.frames.find(match);
    if (found) return Promise.resolve(found as Extract<ServerFrame, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no ${type} frame within ${timeoutMs} ms; got ${this.frames.map((f) => f.type).join(', ')}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        test: match,
        resolve: (f) => (clearTimeout(timer), resolve(f as Extract<ServerFrame, { type: T }>)),
      });
    });
  }

  of<T extends ServerFrame['type']>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((f) => f.type === type) as Extract<ServerFrame, { type: T }>[];
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

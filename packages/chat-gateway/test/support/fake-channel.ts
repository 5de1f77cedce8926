import { ClientGoneError } from '../../src/errors.js';
import type { ClientChannel } from '../../src/ports/client-channel.js';
import type { ServerFrame } from '../../src/protocol/frames.js';
import { assertServerFrame } from './server-frame-check.js';

/** A ClientChannel that records frames, for driving the core without a socket. */
export class RecordingChannel implements ClientChannel {
  readonly frames: ServerFrame[] = [];
  closedWith: { code: number; reason: string } | undefined;
  gone = false;
  private waiters: { test: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];

  constructor(readonly connectionId: string) {}

  send(frame: ServerFrame): Promise<void> {
    if (this.gone) return Promise.reject(new ClientGoneError(this.connectionId));
    assertServerFrame(JSON.parse(JSON.stringify(frame)));
    this.frames.push(frame);
    this.waiters = this.waiters.filter((w) => (w.test(frame) ? (w.resolve(frame), false) : true));
    return Promise.resolve();
  }

  close(code: number, reason: string): Promise<void> {
    this.closedWith = { code, reason };
    return Promise.resolve();
  }

  /** Resolves with the first frame (already sent or coming) that passes `test`. */
  next<T extends ServerFrame['type']>(
    type: T,
    test: (f: Extract<ServerFrame, { type: T }>) => boolean = () => true,
    timeoutMs = 10_000,
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
}

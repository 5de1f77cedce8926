import type { ServerFrame } from '../../src/protocol/frames.js';

type FrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

/** The server frames a test client has received, and waiting for the ones a test expects. */
export class FrameInbox {
  readonly frames: ServerFrame[] = [];
  private waiters: { test: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];

  constructor(private readonly defaultTimeoutMs: number) {}

  /** Records `frame` and wakes the waiters it satisfies. */
  protected receive(frame: ServerFrame): void {
    this.frames.push(frame);
    this.waiters = this.waiters.filter((w) => (w.test(frame) ? (w.resolve(frame), false) : true));
  }

  /** Resolves with the first frame (already received or coming) that passes `test`. */
  next<T extends ServerFrame['type']>(
    type: T,
    test: (f: FrameOf<T>) => boolean = () => true,
    timeoutMs = this.defaultTimeoutMs,
  ): Promise<FrameOf<T>> {
    const match = (f: ServerFrame): boolean => f.type === type && test(f as FrameOf<T>);
    const found = this.frames.find(match);
    if (found) return Promise.resolve(found as FrameOf<T>);
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
        resolve: (f) => (clearTimeout(timer), resolve(f as FrameOf<T>)),
      });
    });
  }

  /** The frames of `type` received so far. */
  of<T extends ServerFrame['type']>(type: T): FrameOf<T>[] {
    return this.frames.filter((f) => f.type === type) as FrameOf<T>[];
  }
}

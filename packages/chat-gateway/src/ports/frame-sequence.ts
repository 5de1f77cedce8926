/**
 * The `seq` counter of each session's server frames: +1 per frame, never a number twice, across
 * turns, reconnects and (persisted with the session) restarts.
 */
export interface FrameSequence {
  /** The next seq of the session (1 for its first frame). */
  next(sessionId: string): Promise<number>;
  /** The last seq handed out in the session (0 when none). */
  current(sessionId: string): Promise<number>;
  /** Writes what only memory holds (graceful shutdown), so a restart continues without a gap. */
  flush(): Promise<void>;
}

/** In memory only: tests, and stores without a conversations table. */
export class MemoryFrameSequence implements FrameSequence {
  private readonly last = new Map<string, number>();

  next(sessionId: string): Promise<number> {
    const n = (this.last.get(sessionId) ?? 0) + 1;
    this.last.set(sessionId, n);
    return Promise.resolve(n);
  }

  current(sessionId: string): Promise<number> {
    return Promise.resolve(this.last.get(sessionId) ?? 0);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
}

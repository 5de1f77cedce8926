import type { SessionBroadcastFrame } from '../protocol/frames.js';

/**
 * The numbered frames of each session, kept for `resume` to replay what a client missed. The
 * `session` frame is never kept (it carries a resume token).
 */
export interface FrameLog {
  /** Records a frame that has its `seq`. */
  append(sessionId: string, frame: SessionBroadcastFrame): void;
  /** Writes what is buffered (a turn's end, a function about to return, a shutdown). */
  flush(sessionId?: string): Promise<void>;
  /** The frames with `seq > lastSeq` kept within the resume window, in `seq` order. */
  since(sessionId: string, lastSeq: number): Promise<SessionBroadcastFrame[]>;
}

/** Keeps nothing: a gateway without replay (tests of other things). */
export const noFrameLog: FrameLog = {
  append: () => undefined,
  flush: () => Promise.resolve(),
  since: () => Promise.resolve([]),
};

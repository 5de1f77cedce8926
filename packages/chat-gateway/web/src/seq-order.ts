/**
 * The client side of `seq`: frames of the session applied once each, in order. After a resume
 * the gateway replays what was missed and (on AWS) the running answer may be posted again: a
 * seq already applied is dropped, and a frame that overtook a lower one waits for it. Frames
 * without `seq` (replies to this connection alone) are applied at once. Every tab gets every
 * numbered frame, so a gap only lasts until a replay or repost fills it; the wait is capped
 * (`gapMs`) for numbers that never come: a local server's counter after a crash resumes past
 * its reserved block, and a resume replays only CHAT_RESUME_WINDOW_SECONDS.
 */
export interface Numbered {
  type: string;
  seq?: number;
}

export class SeqOrder<F extends Numbered> {
  /** Every seq up to this one is applied (or skipped after the gap timeout). */
  last = 0;
  private readonly held = new Map<number, F | null>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly apply: (frame: F) => void,
    private readonly gapMs = 1_000,
  ) {}

  /** A new session (not a resume): numbering starts again at this frame. */
  restart(frame: F): void {
    this.held.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.last = frame.seq ?? 0;
    this.apply(frame);
  }

  /** A resumed session frame: applied at once; its number counts as seen. */
  resumed(frame: F): void {
    if (frame.seq !== undefined && frame.seq > this.last) this.held.set(frame.seq, null);
    this.apply(frame);
    this.drain();
  }

  /** A number that is this session's but nothing to show here: counted as seen, not applied. */
  skip(seq: number): void {
    if (seq <= this.last || this.held.has(seq)) return;
    this.held.set(seq, null);
    this.drain();
  }

  accept(frame: F): void {
    const seq = frame.seq;
    if (seq === undefined) return this.apply(frame);
    if (seq <= this.last || this.held.has(seq)) return;
    this.held.set(seq, frame);
    this.drain();
  }

  private drain(): void {
    while (this.held.has(this.last + 1)) {
      const next = this.held.get(this.last + 1);
      this.held.delete(this.last + 1);
      this.last += 1;
      if (next) this.apply(next);
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held.size > 0) this.timer = setTimeout(() => this.skipGap(), this.gapMs);
  }

  private skipGap(): void {
    this.timer = undefined;
    const lowest = Math.min(...this.held.keys());
    this.last = lowest - 1;
    this.drain();
  }
}

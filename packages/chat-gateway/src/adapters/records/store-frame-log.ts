import type { Logger, RecordStore, TableSpec } from 'chatbot-mcp-server/core';
import type { FrameLog } from '../../ports/frame-log.js';
import type { SessionBroadcastFrame } from '../../protocol/frames.js';
import { MARKER_PREFIX } from './session-items.js';
import { guarded } from './storage-errors.js';

/** Log items: `~log#<first seq, 12 digits>` in the session's conversation (history skips markers). */
const LOG_PREFIX = `${MARKER_PREFIX}log#`;
/** Sorts right after every `~log#…` key: a descending listing from here reads the log newest first. */
const LOG_END = `${MARKER_PREFIX}log$`;

export interface StoreFrameLogOptions {
  store: RecordStore;
  conversations: TableSpec;
  logger: Logger;
  /** How far back a resume replays (CHAT_RESUME_WINDOW_SECONDS). */
  windowMs: number;
  /** A running answer's deltas are written at most this often… */
  flushMs?: number;
  /** …or once this many frames wait (N in the README). */
  flushFrames?: number;
  now?: () => number;
}

interface Pending {
  frames: SessionBroadcastFrame[];
  timer?: NodeJS.Timeout;
  /** Writes of this session, one after the other (the log stays in order). */
  writing: Promise<void>;
}

/**
 * The frame log in the chat's store (the embedded store locally, DynamoDB on AWS), so a resume
 * replays also on another Lambda container, or on the local server after a restart. Deltas of a
 * running answer are buffered and written at most every `flushMs` (500 ms) or every
 * `flushFrames` (20) frames; any other frame (start, tool calls, finish, errors) is written at
 * once with what waits before it. Items expire through the table's TTL after the window.
 */
export class StoreFrameLog implements FrameLog {
  private readonly pending = new Map<string, Pending>();
  private readonly now: () => number;
  private readonly flushMs: number;
  private readonly flushFrames: number;

  constructor(private readonly options: StoreFrameLogOptions) {
    this.now = options.now ?? Date.now;
    this.flushMs = options.flushMs ?? 500;
    this.flushFrames = options.flushFrames ?? 20;
  }

  append(sessionId: string, frame: SessionBroadcastFrame): void {
    if (frame.type === 'session' || frame.seq === undefined) return;
    let p = this.pending.get(sessionId);
    if (!p) {
      p = { frames: [], writing: Promise.resolve() };
      this.pending.set(sessionId, p);
    }
    p.frames.push(frame);
    if (frame.type !== 'text-delta' || p.frames.length >= this.flushFrames) {
      void this.flush(sessionId);
    } else if (!p.timer) {
      p.timer = setTimeout(() => void this.flush(sessionId), this.flushMs);
      p.timer.unref?.();
    }
  }

  async flush(sessionId?: string): Promise<void> {
    if (sessionId === undefined) {
      await Promise.all([...this.pending.keys()].map((id) => this.flush(id)));
      return;
    }
    const p = this.pending.get(sessionId);
    if (!p) return;
    clearTimeout(p.timer);
    p.timer = undefined;
    const frames = p.frames.splice(0);
    if (frames.length > 0) {
      p.writing = p.writing.then(() =>
        this.write(sessionId, frames).catch((error: unknown) =>
          this.options.logger.warn('could not keep frames for resume', {
            sessionId,
            message: String(error),
          }),
        ),
      );
    }
    const writing = p.writing;
    await writing;
    if (p.frames.length === 0 && p.writing === writing) this.pending.delete(sessionId);
  }

  async since(sessionId: string, lastSeq: number): Promise<SessionBroadcastFrame[]> {
    // What this process still buffers is written first, so one listing sees it all.
    await this.flush(sessionId);
    const { store, conversations: table } = this.options;
    const sortKey = table.sortKey?.name ?? 'messageId';
    const oldest = this.now() - this.options.windowMs;
    const found: SessionBroadcastFrame[] = [];
    let cursor: string | undefined;
    read: for (;;) {
      const page = await guarded(() =>
        store.list(table, {
          partitionKeyValue: sessionId,
          descending: true,
          sortKeyBefore: LOG_END,
          limit: 50,
          ...(cursor && { cursor }),
        }),
      );
      for (const item of page.items) {
        const key = String(item[sortKey]);
        if (!key.startsWith(LOG_PREFIX)) break read;
        if (Number(item.lastSeq) <= lastSeq || Number(item.at) < oldest) break read;
        found.push(...(JSON.parse(String(item.frames)) as SessionBroadcastFrame[]));
      }
      if (!page.cursor) break;
      cursor = page.cursor;
    }
    return found.filter((f) => (f.seq ?? 0) > lastSeq).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  }

  private async write(sessionId: string, frames: SessionBroadcastFrame[]): Promise<void> {
    const { store, conversations: table } = this.options;
    const first = frames[0]!.seq!;
    const at = this.now();
    await store.create(table, {
      [table.partitionKey.name]: sessionId,
      [table.sortKey?.name ?? 'messageId']: `${LOG_PREFIX}${String(first).padStart(12, '0')}`,
      frames: JSON.stringify(frames),
      lastSeq: frames.at(-1)!.seq!,
      at,
      [table.ttlAttribute]: Math.floor((at + this.options.windowMs) / 1000) + 3600,
      version: 1,
    });
  }
}

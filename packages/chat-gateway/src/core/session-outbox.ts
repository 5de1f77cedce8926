import { ClientGoneError } from '../errors.js';
import type { ClientChannel } from '../ports/client-channel.js';
import { noFrameLog, type FrameLog } from '../ports/frame-log.js';
import type { FrameSequence } from '../ports/frame-sequence.js';
import type { ConnectionReplyFrame, SessionBroadcastFrame } from '../protocol/frames.js';

/**
 * Every server frame of a session leaves through here. What the session's connections all get
 * (`send`: the session frame, a turn's frames, notes such as `INTERRUPTED`) is stamped with the
 * session's next `seq`, kept in the frame log (for a resume to replay) and sent one frame at a
 * time per session, so the order on the wire is the order of the numbers. A reply to one
 * connection (`reply`: history, documents, a document, conversations, a feedback ack, an error
 * about that connection's frame) is outside the numbering: no `seq`, not logged, so the
 * session's other tabs see no gap in their numbers.
 */
export class SessionOutbox {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(
    private readonly sequence: FrameSequence,
    readonly log: FrameLog = noFrameLog,
  ) {}

  /**
   * Numbers `frame`, logs it and sends it to every channel `targets()` returns when its turn
   * comes. With no channel (the client is away) the frame is only logged. Rejects with
   * `ClientGoneError` when there were channels and none took it.
   */
  send(
    sessionId: string,
    frame: SessionBroadcastFrame,
    targets: () => readonly ClientChannel[],
  ): Promise<void> {
    return this.exclusive(sessionId, async () => {
      // A store that cannot count (it is down) must not silence the frame that says so: it
      // goes out unnumbered, and is not kept for a replay.
      const seq = await this.sequence.next(sessionId).catch(() => undefined);
      const numbered = seq === undefined ? frame : { ...frame, seq };
      if (seq !== undefined) this.log.append(sessionId, numbered);
      const channels = targets();
      if (channels.length === 0) return;
      const results = await Promise.allSettled(channels.map((c) => c.send(numbered)));
      const delivered = results.some((r) => r.status === 'fulfilled');
      if (delivered) return;
      const failure = results.find((r) => r.status === 'rejected');
      if (failure && !(failure.reason instanceof ClientGoneError)) throw failure.reason;
      throw new ClientGoneError(channels[0]?.connectionId ?? sessionId);
    });
  }

  /**
   * Sends `frame` to `channel` alone, unnumbered and not logged (a resume does not replay it:
   * it answered a connection that is gone). Rejects as the channel's send does.
   */
  reply(channel: ClientChannel, frame: ConnectionReplyFrame): Promise<void> {
    return channel.send(frame);
  }

  /**
   * Runs `task` between two frames of the session: nothing of the session is numbered or sent
   * meanwhile (a resume replays the log and attaches the connection in one step).
   */
  exclusive<T>(sessionId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(sessionId) ?? Promise.resolve();
    const sent = previous.then(task);
    const tail = sent.catch(() => undefined);
    this.tails.set(sessionId, tail);
    void tail.then(() => {
      if (this.tails.get(sessionId) === tail) this.tails.delete(sessionId);
    });
    return sent;
  }
}

import { ClientGoneError } from '../errors.js';
import type { ClientChannel } from '../ports/client-channel.js';
import type { FrameSequence } from '../ports/frame-sequence.js';
import type { ServerFrame } from '../protocol/frames.js';

/**
 * Every server frame of a session leaves through here: stamped with the session's next `seq`
 * and sent to the session's connections, one frame at a time per session, so the order on the
 * wire is the order of the numbers.
 */
export class SessionOutbox {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(private readonly sequence: FrameSequence) {}

  /**
   * Numbers `frame` and sends it to every channel `targets()` returns when its turn comes.
   * Rejects with `ClientGoneError` when no channel took it (none attached, or all gone).
   */
  send(
    sessionId: string,
    frame: ServerFrame,
    targets: () => readonly ClientChannel[],
  ): Promise<void> {
    const previous = this.tails.get(sessionId) ?? Promise.resolve();
    const sent = previous.then(async () => {
      const seq = await this.sequence.next(sessionId);
      const numbered = { ...frame, seq };
      const channels = targets();
      const results = await Promise.allSettled(channels.map((c) => c.send(numbered)));
      const delivered = results.some((r) => r.status === 'fulfilled');
      if (delivered) return;
      const failure = results.find((r) => r.status === 'rejected');
      if (failure && !(failure.reason instanceof ClientGoneError)) throw failure.reason;
      throw new ClientGoneError(channels[0]?.connectionId ?? sessionId);
    });
    const tail = sent.catch(() => undefined);
    this.tails.set(sessionId, tail);
    void tail.then(() => {
      if (this.tails.get(sessionId) === tail) this.tails.delete(sessionId);
    });
    return sent;
  }
}

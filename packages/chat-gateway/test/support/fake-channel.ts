import { ClientGoneError } from '../../src/errors.js';
import type { ClientChannel } from '../../src/ports/client-channel.js';
import type { ServerFrame } from '../../src/protocol/frames.js';
import { FrameInbox } from './frame-inbox.js';
import { assertServerFrame } from './server-frame-check.js';

/** A ClientChannel that records frames, for driving the core without a socket. */
export class RecordingChannel extends FrameInbox implements ClientChannel {
  closedWith: { code: number; reason: string } | undefined;
  gone = false;

  constructor(readonly connectionId: string) {
    super(10_000);
  }

  send(frame: ServerFrame): Promise<void> {
    if (this.gone) return Promise.reject(new ClientGoneError(this.connectionId));
    assertServerFrame(JSON.parse(JSON.stringify(frame)));
    this.receive(frame);
    return Promise.resolve();
  }

  close(code: number, reason: string): Promise<void> {
    this.closedWith = { code, reason };
    return Promise.resolve();
  }
}

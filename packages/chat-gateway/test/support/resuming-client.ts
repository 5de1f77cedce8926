/**
 * A client of either protocol path that behaves like the page after a dropped socket: it opens
 * a new connection, resumes its session with the last `seq` it applied, and applies frames once
 * each in `seq` order (the page's own `SeqOrder`).
 */
import { seqOf, type ServerFrame } from '../../src/protocol/frames.js';
import { SeqOrder } from '../../web/src/seq-order.js';
import type { PathClient, ProtocolPath } from './protocol-paths.js';

export class ResumingClient {
  /** Frames as the page applies them, across connections. */
  readonly applied: ServerFrame[] = [];
  readonly order = new SeqOrder<ServerFrame>((f) => this.applied.push(f), 2_000);
  drops = 0;
  /** Per reconnect: ms from sending `resume` until every frame numbered before it was applied. */
  readonly catchUpMs: number[] = [];
  private client!: PathClient;
  private read = 0;
  private sessionId = '';
  private resumeToken = '';

  private constructor(private readonly path: ProtocolPath) {}

  static async open(path: ProtocolPath): Promise<ResumingClient> {
    const c = new ResumingClient(path);
    c.client = await path.connect();
    const session = await c.client.channel.next('session');
    c.sessionId = session.sessionId;
    c.resumeToken = session.resumeToken;
    c.read = c.client.channel.frames.indexOf(session) + 1;
    c.order.restart(session);
    return c;
  }

  send(frame: Parameters<PathClient['send']>[0]): Promise<void> {
    return this.client.send(frame);
  }

  /** Drops the socket, reconnects and resumes with the last applied seq. */
  reconnect(): Promise<void> {
    return this.reconnectAfter(0);
  }

  /** Drops the socket, stays away `ms`, then reconnects and resumes. */
  async reconnectAfter(ms: number): Promise<void> {
    this.drops += 1;
    this.pump();
    await this.client.drop();
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    this.client = await this.path.connect();
    await this.client.channel.next('session');
    const sent = performance.now();
    const numbered = await this.path.currentSeq(this.sessionId);
    await this.client.send({
      type: 'resume',
      sessionId: this.sessionId,
      resumeToken: this.resumeToken,
      lastSeq: this.order.last,
    });
    const resumed = await this.client.channel.next('session', (f) => f.resumed, 20_000);
    this.resumeToken = resumed.resumeToken;
    this.read = this.client.channel.frames.indexOf(resumed) + 1;
    this.order.resumed(resumed);
    await this.until(() => this.order.last >= numbered);
    this.catchUpMs.push(performance.now() - sent);
  }

  /** Feeds what the current connection received since last time. */
  pump(): void {
    const frames = this.client.channel.frames;
    while (this.read < frames.length) this.order.accept(frames[this.read++]!);
  }

  /** Waits until `test` holds for the applied frames. */
  async until(test: (applied: ServerFrame[]) => boolean, timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      this.pump();
      if (test(this.applied)) return;
      if (Date.now() > end)
        throw new Error(
          `timed out; applied: ${this.applied.map((f) => `${f.type}#${seqOf(f)}`).join(' ')}`,
        );
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** The deltas of the answer to `clientId` as applied, joined. */
export function appliedText(applied: readonly ServerFrame[], clientId: string): string {
  const start = applied.find((f) => f.type === 'start' && f.replyTo === clientId);
  if (!start || start.type !== 'start') return '';
  return applied
    .filter((f) => f.type === 'text-delta' && f.messageId === start.messageId)
    .map((f) => (f.type === 'text-delta' ? f.delta : ''))
    .join('');
}

import WebSocket from 'ws';

type Frame = Record<string, unknown>;

/** What one turn ended with: its finish, an error frame (its code), no answer in time, or a closed socket. */
export type TurnOutcome = 'answered' | 'timeout' | 'closed' | `error:${string}`;

/** Counters shared by every client of a run. */
export interface SoakTally {
  firstDelta: number[];
  finish: number[];
  duplicated: number;
  misrouted: number;
  errors: Map<string, number>;
}

export function newTally(): SoakTally {
  return { firstDelta: [], finish: [], duplicated: 0, misrouted: 0, errors: new Map() };
}

/**
 * One chat connection (permessage-deflate off) that checks every answer as it arrives: a finish
 * must answer an id this connection sent and has not been answered yet, and carry this session's
 * id; anything else is counted as duplicated or misrouted in the tally.
 */
export class SoakClient {
  sessionId = '';
  resumeToken = '';
  readonly sent = new Set<string>();
  readonly answered = new Set<string>();
  /** Set when the server closed the socket (the client had not asked to close). */
  closedByServer?: { code: number; at: number };
  /** Date.now() when this client closed its socket (comparable with the store's timestamps). */
  closedWall?: number;
  private closing = false;
  private readonly timing = new Map<string, { at: number; firstDelta?: number }>();
  /** The server's assistant message id → the client id it answers (from the start frame). */
  private readonly replyTo = new Map<string, string>();
  private pending?: { id: string; done: (outcome: TurnOutcome) => void };
  private waiter?: (frame: Frame) => void;

  private constructor(
    private readonly ws: WebSocket,
    private readonly tally: SoakTally,
  ) {
    ws.on('message', (data) =>
      this.onFrame(JSON.parse((data as Buffer).toString('utf8')) as Frame),
    );
    ws.on('close', (code) => {
      if (!this.closing) this.closedByServer = { code, at: performance.now() };
      this.pending?.done('closed');
    });
  }

  /** Connects and resolves once the session frame has arrived. */
  static open(url: string, tally: SoakTally): Promise<SoakClient> {
    return new Promise((resolve, reject) => {
      const client = new SoakClient(new WebSocket(url, { perMessageDeflate: false }), tally);
      client.waiter = (frame) => {
        if (frame.type !== 'session') return;
        client.waiter = undefined;
        resolve(client);
      };
      client.ws.once('error', reject);
      client.ws.once('close', (code) =>
        reject(new Error(`closed with ${code} before the session`)),
      );
    });
  }

  /** Sends one message and waits for its answer (or an error, a close, or `timeoutMs`). */
  turn(id: string, content: string, timeoutMs: number): Promise<TurnOutcome> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.resolve('closed');
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.pending?.done('timeout'), timeoutMs);
      this.pending = {
        id,
        done: (outcome) => {
          clearTimeout(timer);
          this.pending = undefined;
          resolve(outcome);
        },
      };
      this.sent.add(id);
      this.timing.set(id, { at: performance.now() });
      this.ws.send(JSON.stringify({ type: 'message', id, content }));
    });
  }

  /** Presents another session's id and token; 'resumed' or the error code. */
  resume(sessionId: string, resumeToken: string, timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), timeoutMs);
      this.waiter = (frame) => {
        if (frame.type !== 'session' && frame.type !== 'error') return;
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(frame.type === 'session' ? 'resumed' : String(frame.code));
      };
      this.ws.send(JSON.stringify({ type: 'resume', sessionId, resumeToken }));
    });
  }

  close(): Promise<void> {
    this.closing = true;
    this.closedWall ??= Date.now();
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  private onFrame(frame: Frame): void {
    const now = performance.now();
    if (frame.type === 'session') {
      this.sessionId = String(frame.sessionId);
      this.resumeToken = String(frame.resumeToken);
    } else if (frame.type === 'start') {
      this.replyTo.set(String(frame.messageId), String(frame.replyTo));
    } else if (frame.type === 'text-delta') {
      const turn = this.timing.get(this.replyTo.get(String(frame.messageId)) ?? '');
      if (turn && turn.firstDelta === undefined) turn.firstDelta = now - turn.at;
    } else if (frame.type === 'finish') {
      this.onFinish(frame, now);
    } else if (frame.type === 'error') {
      const code = String(frame.code);
      this.tally.errors.set(code, (this.tally.errors.get(code) ?? 0) + 1);
      if (this.pending && (frame.replyTo === undefined || frame.replyTo === this.pending.id))
        this.pending.done(`error:${code}`);
    }
    this.waiter?.(frame);
  }

  private onFinish(frame: Frame, now: number): void {
    const id = this.replyTo.get(String(frame.messageId));
    const response = frame.response as Frame | undefined;
    if (id === undefined || !this.sent.has(id) || response?.sessionId !== this.sessionId) {
      this.tally.misrouted += 1;
      return;
    }
    if (this.answered.has(id)) {
      this.tally.duplicated += 1;
      return;
    }
    this.answered.add(id);
    const turn = this.timing.get(id)!;
    this.tally.finish.push(now - turn.at);
    if (turn.firstDelta !== undefined) this.tally.firstDelta.push(turn.firstDelta);
    if (this.pending?.id === id) this.pending.done('answered');
  }
}

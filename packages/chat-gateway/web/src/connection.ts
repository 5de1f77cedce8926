/**
 * The WebSocket to the gateway: reconnects after a drop with exponential backoff and full
 * jitter (so a restarted gateway is not hit by every page at once), and resumes the session with
 * the id and token kept in sessionStorage: per tab, gone with the tab, and never in a URL where
 * logs, history or a Referer header would keep it.
 */
import type { ClientFrame, ServerFrame } from '../../src/protocol/frames.js';
import { SeqOrder } from './seq-order.js';

export type ConnectionStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'open' }
  | { state: 'waiting'; attempt: number; retryInMs: number }
  /** The gateway refuses this page (401: token needed or wrong; 403: address not allowed). */
  | { state: 'refused'; status: 401 | 403; message: string; login?: string };

/** What the gateway would answer a handshake now (`GET /auth-check`). */
export interface ProbeResult {
  status: number;
  message?: string;
  /** With sign-in (CHAT_OIDC_ISSUER): where to sign in. */
  login?: string;
}

export interface ConnectionOptions {
  /** Read at each attempt: the token can change in between. */
  url: () => string;
  /** WebSocket subprotocols to offer, read at each attempt (Cognito sign-in: the ID token). */
  protocols?: () => string[] | undefined;
  /**
   * Asked when a socket closes before the session started: a browser's WebSocket never shows
   * why a handshake was refused, so without this a wrong token looks like a network problem.
   */
  probe?: () => Promise<ProbeResult>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  onFrame: (frame: ServerFrame) => void;
  onStatus: (status: ConnectionStatus) => void;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

interface StoredSession {
  sessionId: string;
  resumeToken: string;
}

const STORAGE_KEY = 'chat.session';
// The client frame schema's patterns: anything else in storage was not written by this page.
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const RESUME_TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/** Full jitter: uniform in [0, min(max, base * 2^attempt)). */
export function backoffDelay(
  attempt: number,
  random: () => number,
  baseMs: number,
  maxMs: number,
): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16)));
}

export class Connection {
  /** The current socket; tests close it to simulate a dropped connection. */
  socket: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ready = false;
  /** Refused (401/403): no more automatic attempts until `reconnectNow`. */
  private halted = false;
  /** The fresh session the gateway opened for this socket, kept while a resume is pending. */
  private fresh: StoredSession | null = null;
  private readonly outbox: ClientFrame[] = [];
  /** The session's frames in `seq` order, each once, across reconnects. */
  private readonly order: SeqOrder<ServerFrame>;
  /** The session `order` counts for. */
  private orderSession: string | undefined;

  constructor(private readonly opts: ConnectionOptions) {
    this.order = new SeqOrder((frame) => this.opts.onFrame(frame));
  }

  start(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.halted = false;
    this.opts.onStatus({ state: 'connecting', attempt: this.attempt });
    const protocols = this.opts.protocols?.();
    const socket = protocols
      ? new WebSocket(this.opts.url(), protocols)
      : new WebSocket(this.opts.url());
    this.socket = socket;
    let opened = false;
    socket.addEventListener('open', () => (opened = true));
    socket.addEventListener('message', (event) => this.receive(event.data));
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.ready = false;
      this.fresh = null;
      if (opened || !this.opts.probe) this.scheduleReconnect();
      else void this.probeThenReconnect(this.opts.probe);
    });
  }

  /** Starts over in a new session (the page's New chat): forgets the stored one, reconnects. */
  newSession(): void {
    this.opts.storage.removeItem(STORAGE_KEY);
    const old = this.socket;
    this.socket = null;
    this.ready = false;
    this.fresh = null;
    this.attempt = 0;
    old?.close();
    this.start();
  }

  /** Skips the remaining wait (the banner's "Reconnect now"), or tries again after a refusal. */
  reconnectNow(): void {
    if (this.timer !== undefined || this.halted) this.start();
  }

  private async probeThenReconnect(probe: () => Promise<ProbeResult>): Promise<void> {
    // Unreachable: an ordinary network problem, retried with backoff.
    const result: ProbeResult = await probe().catch(() => ({ status: 0 }));
    if (this.socket !== null || this.timer !== undefined) return; // started again meanwhile
    if (result.status === 401 || result.status === 403) {
      this.halted = true;
      this.opts.onStatus({
        state: 'refused',
        status: result.status,
        message:
          result.message ?? (result.status === 401 ? 'An access token is needed.' : 'Refused.'),
        ...(result.login !== undefined && { login: result.login }),
      });
      return;
    }
    this.scheduleReconnect();
  }

  /** Sends now, or after the next `session` frame when not connected. */
  send(frame: ClientFrame): void {
    if (this.ready) this.write(frame);
    else this.outbox.push(frame);
  }

  get connected(): boolean {
    return this.ready;
  }

  private write(frame: ClientFrame): void {
    this.socket?.send(JSON.stringify(frame));
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'session') {
      const session = { sessionId: frame.sessionId, resumeToken: frame.resumeToken };
      const stored = this.stored();
      // Every socket starts with a new session; the resume is sent only after that first frame,
      // because the gateway reads client frames only once the connection's session exists.
      if (!frame.resumed && stored && stored.sessionId !== frame.sessionId && !this.fresh) {
        this.fresh = session;
        // The gateway replays what came after the last frame this page applied.
        const lastSeq = this.orderSession === stored.sessionId ? this.order.last : undefined;
        this.write({ type: 'resume', ...stored, ...(lastSeq !== undefined && { lastSeq }) });
        return;
      }
      if (this.ready && frame.resumed && this.orderSession === frame.sessionId) {
        // Another tab joined this session: the resume rotated the token, and only that is news
        // here (no "Reconnected", no history reload).
        this.opts.storage.setItem(STORAGE_KEY, JSON.stringify(session));
        if (frame.seq !== undefined) this.order.skip(frame.seq);
        return;
      }
      this.becomeReady(session);
      if (frame.resumed && this.orderSession === frame.sessionId) return this.order.resumed(frame);
      this.orderSession = frame.sessionId;
      return this.order.restart(frame);
    }
    if (frame.type === 'error' && frame.replyTo === 'resume' && this.fresh) {
      // The old session is gone (expired or unknown): carry on in the socket's new one.
      this.becomeReady(this.fresh);
      this.orderSession = this.fresh.sessionId;
      this.opts.onFrame(frame);
      return;
    }
    if (this.fresh) return; // the fresh session's own frames, before the resume is answered
    this.order.accept(frame);
  }

  private becomeReady(session: StoredSession): void {
    this.fresh = null;
    this.opts.storage.setItem(STORAGE_KEY, JSON.stringify(session));
    this.attempt = 0;
    if (this.ready) return;
    this.ready = true;
    this.opts.onStatus({ state: 'open' });
    for (const queued of this.outbox.splice(0)) this.write(queued);
  }

  private scheduleReconnect(): void {
    const { random = Math.random, baseDelayMs = 500, maxDelayMs = 15_000 } = this.opts;
    const retryInMs = backoffDelay(this.attempt, random, baseDelayMs, maxDelayMs);
    this.attempt += 1;
    this.opts.onStatus({ state: 'waiting', attempt: this.attempt, retryInMs });
    this.timer = setTimeout(() => this.start(), retryInMs);
  }

  private stored(): StoredSession | null {
    try {
      const value = JSON.parse(
        this.opts.storage.getItem(STORAGE_KEY) ?? 'null',
      ) as Partial<StoredSession> | null;
      if (
        value &&
        SESSION_ID.test(value.sessionId ?? '') &&
        RESUME_TOKEN.test(value.resumeToken ?? '')
      ) {
        return { sessionId: value.sessionId!, resumeToken: value.resumeToken! };
      }
    } catch {
      // Unreadable: start a new session.
    }
    return null;
  }
}

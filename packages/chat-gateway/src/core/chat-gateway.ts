import type { Logger } from 'chatbot-mcp-server/core';
import type { ChatEngine } from '../engine/chat-engine.js';
import {
  ClientGoneError,
  DetachedError,
  MAX_SESSION_CONNECTIONS,
  RateLimitedError,
  SessionFullError,
} from '../errors.js';
import type { AnalyticsRecorder } from '../analytics/analytics-recorder.js';
import type { ClientChannel } from '../ports/client-channel.js';
import { noFrameLog, type FrameLog } from '../ports/frame-log.js';
import { MemoryFrameSequence, type FrameSequence } from '../ports/frame-sequence.js';
import { callerOf, type ToolClient } from '../ports/tool-client.js';
import type { ClientInfo, Identity, SessionStore } from '../ports/session-store.js';
import type { ClientFrame, SessionBroadcastFrame, SessionFrame } from '../protocol/frames.js';
import { parseClientFrame } from '../protocol/parse-frame.js';
import { PendingApprovals } from './approvals.js';
import { ConversationFrames } from './conversation-frames.js';
import { toErrorFrame } from './error-frame.js';
import { LocalTurns } from './local-turns.js';
import { TokenBucket } from './rate-limiter.js';
import { sessionFrame } from './session-frames.js';
import { SessionOutbox } from './session-outbox.js';
import {
  createFrameHandlers,
  dispatchFrame,
  type FrameContext,
  type FrameHandlers,
} from './session-protocol.js';
import type { SessionsPort } from './sessions-port.js';

export interface ChatGatewayOptions {
  engine: ChatEngine;
  sessions: SessionsPort;
  store: SessionStore;
  logger: Logger;
  newId: () => string;
  now?: () => number;
  retentionDays: number;
  approvalTimeoutMs: number;
  /** Frames a second per connection (burst twice that). */
  framesPerSecond: number;
  /** Turns queued behind the running one per session before RATE_LIMITED. */
  maxQueuedTurns?: number;
  /** Shown in the session frame when no model is configured. */
  offlineNotice?: string;
  /** The page's name (CHAT_TITLE), sent in the session frame. */
  title?: string;
  /** Reads documents for the viewer; without it `document` frames are refused. */
  documents?: Pick<ToolClient, 'readDocument' | 'callTool'>;
  /** The longest a documents or document frame waits for the MCP server (TOOL_TIMEOUT_MS). */
  documentTimeoutMs?: number;
  /** Counts feedback; without it feedback is stored but not counted. */
  analytics?: Pick<AnalyticsRecorder, 'feedback'>;
  /** Answers the conversation frames; without it nobody owns anonymous sessions. */
  conversations?: ConversationFrames;
  /** Numbers each session's frames (`seq`); in memory when not given. */
  sequence?: FrameSequence;
  /** Keeps the frames for `resume` to replay; nothing is replayed without it. */
  frameLog?: FrameLog;
  /** How long an answer goes on after its client left (CHAT_DETACHED_TURN_SECONDS). Default 120 s. */
  detachedTurnMs?: number;
  /** Connections (tabs) attached to one session at once; default 8. */
  maxConnectionsPerSession?: number;
}

interface Connection {
  channel: ClientChannel;
  sessionId: string;
  bucket: TokenBucket;
  /** The signed-in user of this connection; resume only reattaches their own sessions. */
  identity?: Identity;
}

/**
 * The local transport's side of the core: connections of `ws` sockets, each speaking for one
 * session, and the turns in this process. The protocol itself (every client frame and what it
 * answers) is `session-protocol.ts`, shared with the API Gateway handlers. A transport adapter
 * calls `open`, `receive` and `closed` for each connection and gives it a `ClientChannel`; the
 * core never touches a socket.
 */
export class ChatGateway {
  private readonly connections = new Map<string, Connection>();
  /** sessionId → the connections attached to it now (tabs of one conversation). */
  private readonly attached = new Map<string, Set<string>>();
  private readonly turns: LocalTurns;
  private readonly outbox: SessionOutbox;
  private readonly sequence: FrameSequence;
  private readonly handlers: FrameHandlers;
  private readonly now: () => number;
  /** sessionId → the timer that stops its answers when no client comes back. */
  private readonly detached = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: ChatGatewayOptions) {
    this.now = options.now ?? Date.now;
    this.sequence = options.sequence ?? new MemoryFrameSequence();
    this.outbox = new SessionOutbox(this.sequence, options.frameLog ?? noFrameLog);
    this.turns = new LocalTurns(
      {
        engine: options.engine,
        store: options.store,
        approvals: new PendingApprovals(options.approvalTimeoutMs),
        logger: options.logger,
        newId: options.newId,
        now: this.now,
        retentionDays: options.retentionDays,
      },
      {
        logger: options.logger,
        maxQueuedTurns: options.maxQueuedTurns ?? 5,
        send: (sessionId, frame) => this.sendToSession(sessionId, frame),
      },
    );
    this.handlers = createFrameHandlers({
      sessions: options.sessions,
      store: options.store,
      sequence: this.sequence,
      info: {
        modelId: options.engine.modelId,
        ...(options.offlineNotice && { offlineNotice: options.offlineNotice }),
        ...(options.title && { title: options.title }),
      },
      now: this.now,
      ...(options.documents && { documents: options.documents }),
      ...(options.documentTimeoutMs !== undefined && {
        documentTimeoutMs: options.documentTimeoutMs,
      }),
      ...(options.analytics && { analytics: options.analytics }),
      conversations:
        options.conversations ??
        new ConversationFrames({ store: options.store, anonymousOwner: false }),
      turns: {
        start: (context, turn) =>
          this.turns.start(context.sessionId, { ...turn, caller: callerOf(context.identity) }),
        cancel: (sessionId, id) =>
          Promise.resolve(this.turns.cancel(sessionId, id, new Error('cancelled by the user'))),
        approve: (sessionId, toolCallId, approve) =>
          Promise.resolve(this.turns.approve(sessionId, toolCallId, approve)),
        admit: (sessionId, connectionId) => Promise.resolve(this.admit(sessionId, connectionId)),
        attachedCount: (sessionId) => Promise.resolve(this.attached.get(sessionId)?.size ?? 0),
        attach: (context, sessionId, then) => this.attach(context, sessionId, then),
      },
    });
  }

  /** Turns running or queued, across sessions. */
  get activeTurns(): number {
    return this.turns.active;
  }

  /** The model answering, or null for the offline engine. */
  get modelId(): string | null {
    return this.options.engine.modelId;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** A new connection: a new session, announced by the `session` frame. */
  async open(channel: ClientChannel, clientInfo: ClientInfo): Promise<void> {
    const { sessionId, resumeToken } = await this.options.sessions.create(
      clientInfo,
      channel.connectionId,
    );
    this.connections.set(channel.connectionId, {
      channel,
      sessionId,
      ...(clientInfo.identity && { identity: clientInfo.identity }),
      bucket: new TokenBucket(
        this.options.framesPerSecond,
        Math.max(2, this.options.framesPerSecond * 2),
        this.now,
      ),
    });
    this.join(sessionId, channel.connectionId);
    await this.sendToSession(sessionId, sessionFrame(this.info(), sessionId, resumeToken, false));
  }

  /** One text frame from the client. Never throws: problems become error frames. */
  async receive(channel: ClientChannel, raw: string): Promise<void> {
    const connection = this.connections.get(channel.connectionId);
    if (!connection) return;
    let frame: ClientFrame | undefined;
    const context = this.contextOf(connection);
    try {
      if (!connection.bucket.take()) {
        throw new RateLimitedError('Too many frames: slow down and retry in a second.');
      }
      frame = parseClientFrame(raw);
      await dispatchFrame(this.handlers, context, frame);
    } catch (error) {
      const replyTo = frame && 'id' in frame ? frame.id : frame?.type;
      await context.reply(toErrorFrame(error, this.options.logger, replyTo)).catch(() => undefined);
    }
  }

  /**
   * The connection closed. The session's other connections carry on; when it was the last one,
   * the session stays resumable, and its answers go on (into the frame log) until the detach
   * deadline, when they stop as a cancel does. The attached connections alone say whether
   * anyone is still there (not the session record), and this decides it without awaiting
   * anything: two tabs closing at once start one deadline, which a tab coming back clears.
   */
  closed(channel: ClientChannel): Promise<void> {
    const connection = this.connections.get(channel.connectionId);
    if (!connection) return Promise.resolve();
    this.connections.delete(channel.connectionId);
    const { sessionId } = connection;
    if (!this.leave(sessionId, channel.connectionId)) return Promise.resolve();
    // Another tab is still on the session, or its deadline runs already.
    if (this.attached.has(sessionId) || this.detached.has(sessionId)) return Promise.resolve();
    const ms = this.options.detachedTurnMs ?? 120_000;
    const timer = setTimeout(() => {
      this.detached.delete(sessionId);
      if (this.attached.has(sessionId)) return; // a tab came back
      this.turns.cancelAll(sessionId, new DetachedError(Math.round(ms / 1000)));
    }, ms);
    timer.unref?.();
    this.detached.set(sessionId, timer);
    return Promise.resolve();
  }

  /** Closes the connections of sessions the cleanup job closed. */
  async sessionsClosed(sessionIds: readonly string[]): Promise<void> {
    for (const sessionId of sessionIds)
      for (const connectionId of this.attached.get(sessionId) ?? []) {
        const connection = this.connections.get(connectionId);
        if (connection)
          await connection.channel
            .close(4000, 'session closed after inactivity')
            .catch(() => undefined);
      }
  }

  /** Graceful shutdown: refuse new turns, wait for running ones up to the deadline, then cancel them. */
  async drain(deadlineMs: number): Promise<void> {
    await this.turns.drain(deadlineMs);
    await this.outbox.log
      .flush()
      .catch((error: unknown) =>
        this.options.logger.warn('could not save the frame log', { message: String(error) }),
      );
    await this.sequence
      .flush()
      .catch((error: unknown) =>
        this.options.logger.warn('could not save the frame counters', { message: String(error) }),
      );
  }

  /** The connection as the protocol sees it; `reply` answers it alone, outside the numbering. */
  private contextOf(connection: Connection): FrameContext {
    const { channel } = connection;
    return {
      get sessionId() {
        return connection.sessionId;
      },
      connectionId: channel.connectionId,
      ...(connection.identity && { identity: connection.identity }),
      reply: (frame) => this.outbox.reply(channel, frame),
    };
  }

  /** SESSION_FULL when the connection would be one too many on the session. */
  private admit(sessionId: string, connectionId: string): void {
    const max = this.options.maxConnectionsPerSession ?? MAX_SESSION_CONNECTIONS;
    const attached = this.attached.get(sessionId);
    if (attached && !attached.has(connectionId) && attached.size >= max)
      throw new SessionFullError(max);
  }

  private join(sessionId: string, connectionId: string): void {
    const attached = this.attached.get(sessionId) ?? new Set<string>();
    attached.add(connectionId);
    this.attached.set(sessionId, attached);
  }

  /** False when the connection was not attached to the session. */
  private leave(sessionId: string, connectionId: string): boolean {
    const attached = this.attached.get(sessionId);
    if (!attached?.delete(connectionId)) return false;
    if (attached.size === 0) this.attached.delete(sessionId);
    return true;
  }

  /** The session's attached channels; a send that finds its client gone closes that connection. */
  private channelsOf(sessionId: string): ClientChannel[] {
    const channels: ClientChannel[] = [];
    for (const connectionId of this.attached.get(sessionId) ?? []) {
      const channel = this.connections.get(connectionId)?.channel;
      if (channel) channels.push(this.dropOnGone(channel));
    }
    return channels;
  }

  private dropOnGone(channel: ClientChannel): ClientChannel {
    return {
      connectionId: channel.connectionId,
      close: (code, reason) => channel.close(code, reason),
      send: (frame) =>
        channel.send(frame).catch((error: unknown) => {
          // A half-open socket is not kept: the other tabs carry on without it.
          if (error instanceof ClientGoneError) void this.closed(channel).catch(() => undefined);
          throw error;
        }),
    };
  }

  /**
   * Joins the connection to a resumed session, beside the session's other connections: the
   * session frame (with the rotated token) to all of them, the frames it missed to this one,
   * then live frames to all, with nothing of the session numbered in between.
   */
  private async attach(
    context: FrameContext,
    sessionId: string,
    then: { frame: SessionFrame; lastSeq?: number },
  ): Promise<void> {
    const connection = this.connections.get(context.connectionId);
    if (!connection) throw new ClientGoneError(context.connectionId);
    const { channel } = connection;
    let interrupted: string[] = [];
    const attached = this.outbox.exclusive(sessionId, async () => {
      // Attached first: a frame the client sends as soon as it sees the session frame must
      // already count for this session (its answers queue behind this section).
      // Checked again here (two tabs may have passed `admit` together), before the connection
      // leaves the session it has.
      this.admit(sessionId, context.connectionId);
      const previous = connection.sessionId;
      if (previous !== sessionId) this.leave(previous, context.connectionId);
      connection.sessionId = sessionId;
      this.join(sessionId, context.connectionId);
      clearTimeout(this.detached.get(sessionId));
      this.detached.delete(sessionId);
      // The resume rotated the token: every tab of the session gets the new one, in the same
      // frame (same seq), or the next reconnect of another tab would be refused.
      const numbered = { ...then.frame, seq: await this.sequence.next(sessionId) };
      const others = this.channelsOf(sessionId).filter(
        (c) => c.connectionId !== context.connectionId,
      );
      await channel.send(numbered);
      await Promise.allSettled(others.map((c) => c.send(numbered)));
      const logged = await this.outbox.log.since(sessionId, 0);
      interrupted = unfinished(logged).filter((id) => !this.turns.isRunning(sessionId, id));
      if (then.lastSeq !== undefined)
        for (const frame of logged) if ((frame.seq ?? 0) > then.lastSeq) await channel.send(frame);
    });
    await attached;
    // Answers that a crash (kill -9) cut off are said to be so, once (the note is logged too).
    for (const clientMessageId of interrupted)
      await this.sendToSession(sessionId, interruptedFrame(clientMessageId)).catch(() => undefined);
  }

  private info(): { modelId: string | null; offlineNotice?: string; title?: string } {
    return {
      modelId: this.options.engine.modelId,
      ...(this.options.offlineNotice && { offlineNotice: this.options.offlineNotice }),
      ...(this.options.title && { title: this.options.title }),
    };
  }

  private sendToSession(sessionId: string, frame: SessionBroadcastFrame): Promise<void> {
    return this.outbox.send(sessionId, frame, () => this.channelsOf(sessionId));
  }
}

/** Client ids of answers the log shows started but neither finished nor ended by an error. */
function unfinished(logged: readonly SessionBroadcastFrame[]): string[] {
  const open = new Map<string, string>();
  for (const f of logged) {
    if (f.type === 'start') open.set(f.messageId, f.replyTo);
    else if (f.type === 'finish') open.delete(f.messageId);
    else if (f.type === 'error' && f.replyTo)
      for (const [m, c] of open) if (c === f.replyTo) open.delete(m);
  }
  return [...open.values()];
}

function interruptedFrame(clientMessageId: string): SessionBroadcastFrame {
  return {
    type: 'error',
    code: 'INTERRUPTED',
    message:
      'The server stopped while this answer was being written (it was restarted or crashed); what it said before is above. Send the message again for a full answer.',
    retryable: true,
    replyTo: clientMessageId,
  };
}

import type { Logger } from 'chatbot-mcp-server/core';
import type { ChatEngine } from '../engine/chat-engine.js';
import { ChatError, ClientGoneError, RateLimitedError } from '../errors.js';
import type { AnalyticsRecorder } from '../analytics/analytics-recorder.js';
import type { ClientChannel } from '../ports/client-channel.js';
import { callerOf, type ToolClient } from '../ports/tool-client.js';
import type { ClientInfo, Identity, SessionStore } from '../ports/session-store.js';
import type { ClientFrame, ServerFrame } from '../protocol/frames.js';
import { parseClientFrame } from '../protocol/parse-frame.js';
import { PendingApprovals } from './approvals.js';
import { documentNotFound, listDocumentsFrame, toDocumentFrame } from './document-view.js';
import { saveFeedback } from './feedback.js';
import { ConversationFrames } from './conversation-frames.js';
import { toErrorFrame } from './error-frame.js';
import { toHistoryMessage } from './history-view.js';
import { TokenBucket } from './rate-limiter.js';
import type { SessionsPort } from './sessions-port.js';
import { keepClaim, runTurn, type TurnDeps } from './turn-runner.js';

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
  /** Counts feedback; without it feedback is stored but not counted. */
  analytics?: Pick<AnalyticsRecorder, 'feedback'>;
  /** Answers the conversation frames; without it they are refused. */
  conversations?: ConversationFrames;
}

interface Connection {
  channel: ClientChannel;
  sessionId: string;
  bucket: TokenBucket;
  /** The signed-in user of this connection; resume only reattaches their own sessions. */
  identity?: Identity;
}

interface SessionTurns {
  /** Client message id → its turn's controller (running or queued). */
  running: Map<string, AbortController>;
  queue: Promise<void>;
  queued: number;
}

/**
 * The transport-neutral core: sessions, frames, turns. A transport adapter (the local `ws`
 * server, the API Gateway handlers) calls `open`, `receive` and `closed` for each connection
 * and gives it a `ClientChannel`; the core never touches a socket.
 */
export class ChatGateway {
  private readonly connections = new Map<string, Connection>();
  /** sessionId → the connection id it is attached to now. */
  private readonly attached = new Map<string, string>();
  private readonly turns = new Map<string, SessionTurns>();
  private readonly approvals: PendingApprovals;
  private readonly turnDeps: TurnDeps;
  private readonly now: () => number;
  private draining = false;
  private readonly conversations: ConversationFrames;

  constructor(private readonly options: ChatGatewayOptions) {
    this.now = options.now ?? Date.now;
    this.approvals = new PendingApprovals(options.approvalTimeoutMs);
    this.conversations =
      options.conversations ??
      new ConversationFrames({ store: options.store, anonymousOwner: false });
    this.turnDeps = {
      engine: options.engine,
      store: options.store,
      approvals: this.approvals,
      logger: options.logger,
      newId: options.newId,
      now: this.now,
      retentionDays: options.retentionDays,
    };
  }

  /** Turns running or queued, across sessions. */
  get activeTurns(): number {
    let n = 0;
    for (const t of this.turns.values()) n += t.running.size;
    return n;
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
    this.attached.set(sessionId, channel.connectionId);
    await this.sendSession(channel, sessionId, resumeToken, false);
  }

  /** One text frame from the client. Never throws: problems become error frames. */
  async receive(channel: ClientChannel, raw: string): Promise<void> {
    const connection = this.connections.get(channel.connectionId);
    if (!connection) return;
    let frame: ClientFrame | undefined;
    try {
      if (!connection.bucket.take()) {
        throw new RateLimitedError('Too many frames: slow down and retry in a second.');
      }
      frame = parseClientFrame(raw);
      await this.dispatch(connection, frame);
    } catch (error) {
      await this.sendError(channel, error, frame && 'id' in frame ? frame.id : frame?.type);
    }
  }

  /** The connection closed: its running turns stop, the session stays resumable. */
  async closed(channel: ClientChannel): Promise<void> {
    const connection = this.connections.get(channel.connectionId);
    if (!connection) return;
    this.connections.delete(channel.connectionId);
    const { sessionId } = connection;
    if (this.attached.get(sessionId) !== channel.connectionId) return; // resumed elsewhere
    this.attached.delete(sessionId);
    for (const controller of this.turns.get(sessionId)?.running.values() ?? []) {
      controller.abort(new ClientGoneError(channel.connectionId));
    }
    await this.options.sessions
      .detach(sessionId, channel.connectionId)
      .catch((error: unknown) =>
        this.options.logger.warn('could not detach session', { sessionId, message: String(error) }),
      );
  }

  /** Closes the connections of sessions the cleanup job closed. */
  async sessionsClosed(sessionIds: readonly string[]): Promise<void> {
    for (const sessionId of sessionIds) {
      const connectionId = this.attached.get(sessionId);
      const connection = connectionId ? this.connections.get(connectionId) : undefined;
      if (connection)
        await connection.channel
          .close(4000, 'session closed after inactivity')
          .catch(() => undefined);
    }
  }

  /** Graceful shutdown: refuse new turns, wait for running ones up to the deadline, then cancel them. */
  async drain(deadlineMs: number): Promise<void> {
    this.draining = true;
    const end = this.now() + deadlineMs;
    while (this.activeTurns > 0 && this.now() < end) await new Promise((r) => setTimeout(r, 25));
    const shutdown = new ChatError(
      'SHUTTING_DOWN',
      'The server restarted before this answer finished; send the message again.',
      true,
    );
    for (const t of this.turns.values()) for (const c of t.running.values()) c.abort(shutdown);
    const settle = this.now() + 2_000;
    while (this.activeTurns > 0 && this.now() < settle) await new Promise((r) => setTimeout(r, 25));
  }

  private async dispatch(connection: Connection, frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case 'message':
        return this.acceptMessage(connection, frame.id, frame.content);
      case 'resume':
        return this.resume(connection, frame.sessionId, frame.resumeToken);
      case 'confirm':
        if (!this.approvals.settle(connection.sessionId, frame.toolCallId, frame.approve)) {
          throw new ChatError(
            'NOT_FOUND',
            `No tool call ${frame.toolCallId} is waiting for approval in this session.`,
            false,
          );
        }
        return;
      case 'history':
        return this.sendHistory(connection, frame.before, frame.limit ?? 20);
      case 'cancel': {
        const controller = this.turns.get(connection.sessionId)?.running.get(frame.messageId);
        if (!controller)
          throw new ChatError(
            'NOT_FOUND',
            `No answer to message ${frame.messageId} is running in this session.`,
            false,
          );
        controller.abort(new Error('cancelled by the user'));
        return;
      }
      case 'document':
        return this.sendDocument(connection, frame.source, frame.snippet);
      case 'documents': {
        const tools = this.options.documents;
        if (!tools)
          throw new ChatError('UNSUPPORTED', 'This gateway cannot list documents.', false);
        return connection.channel.send(
          await listDocumentsFrame(tools, frame.cursor, callerOf(connection.identity)),
        );
      }
      case 'feedback': {
        const analytics = this.options.analytics ?? { feedback: () => Promise.resolve() };
        const saved = await saveFeedback(
          { store: this.options.store, analytics },
          connection.sessionId,
          frame,
          this.now(),
        );
        return connection.channel.send(saved);
      }
      case 'conversations':
      case 'conversation-rename':
      case 'conversation-delete':
        return connection.channel.send(await this.conversations.answer(frame, connection.identity));
    }
  }

  /**
   * The viewer's document. Its access is search's: whoever may connect may search every
   * document, so may read it (a later issue adds groups to both).
   */
  private async sendDocument(
    connection: Connection,
    source: string,
    snippet: string | undefined,
  ): Promise<void> {
    const reader = this.options.documents;
    if (!reader) throw new ChatError('UNSUPPORTED', 'This gateway cannot show documents.', false);
    const doc = await reader.readDocument(source, { caller: callerOf(connection.identity) });
    if (!doc) throw documentNotFound(source);
    await connection.channel.send(toDocumentFrame(doc, snippet));
  }

  private async acceptMessage(
    connection: Connection,
    clientMessageId: string,
    content: string,
  ): Promise<void> {
    if (this.draining)
      throw new ChatError(
        'SHUTTING_DOWN',
        'The server is restarting; send the message again in a moment.',
        true,
      );
    const { sessionId } = connection;
    const turns = this.turnsOf(sessionId);
    if (turns.queued >= (this.options.maxQueuedTurns ?? 5)) {
      throw new RateLimitedError(
        'Too many messages waiting for an answer; wait for the current answers.',
      );
    }
    const claim = await this.options.store.claimMessage(sessionId, clientMessageId);
    if (!claim.claimed) {
      throw new ChatError(
        'DUPLICATE_MESSAGE',
        `Message ${clientMessageId} was already received; it is answered once (see the history).`,
        false,
      );
    }
    void this.options.sessions.touch(sessionId).catch(() => undefined);
    const controller = new AbortController();
    // Known from now on, so a queued answer can be cancelled too.
    turns.running.set(clientMessageId, controller);
    turns.queued += 1;
    // The claim stays this turn's while it waits and runs; a process that dies loses it.
    const release = keepClaim(this.turnDeps, sessionId, clientMessageId);
    turns.queue = turns.queue.then(async () => {
      turns.queued -= 1;
      try {
        await runTurn(this.turnDeps, {
          sessionId,
          clientMessageId,
          content,
          signal: controller.signal,
          send: (frame) => this.sendToSession(sessionId, frame),
          ...(claim.takenOver && { takenOver: true }),
          caller: callerOf(connection.identity),
        });
      } catch (error) {
        await this.sendToSession(
          sessionId,
          toErrorFrame(error, this.options.logger, clientMessageId),
        ).catch(() => undefined);
      } finally {
        release();
        turns.running.delete(clientMessageId);
        if (turns.running.size === 0 && turns.queued === 0) this.turns.delete(sessionId);
      }
    });
  }

  private async resume(
    connection: Connection,
    sessionId: string,
    resumeToken: string | undefined,
  ): Promise<void> {
    const resumed = await this.options.sessions.resume(
      sessionId,
      resumeToken,
      connection.channel.connectionId,
      connection.identity,
    );
    const previous = connection.sessionId;
    if (previous !== sessionId) {
      this.attached.delete(previous);
      // The session made for this connection at open was never used: close it.
      void this.options.sessions.close(previous, 'replaced by resume').catch(() => undefined);
    }
    const other = this.attached.get(sessionId);
    if (other && other !== connection.channel.connectionId) {
      // A half-open socket of the same session: the newest connection wins.
      const stale = this.connections.get(other);
      this.connections.delete(other);
      void stale?.channel
        .close(4001, 'session resumed on another connection')
        .catch(() => undefined);
    }
    connection.sessionId = sessionId;
    this.attached.set(sessionId, connection.channel.connectionId);
    await this.sendSession(connection.channel, sessionId, resumed.resumeToken, true);
  }

  private async sendHistory(
    connection: Connection,
    before: string | undefined,
    limit: number,
  ): Promise<void> {
    const page = await this.options.store.listMessages(connection.sessionId, {
      limit,
      ...(before && { before }),
    });
    const last = page.at(-1);
    await connection.channel.send({
      type: 'history',
      messages: page.map(toHistoryMessage),
      ...(page.length === limit && last && { before: last.messageId }),
    });
  }

  private async sendSession(
    channel: ClientChannel,
    sessionId: string,
    resumeToken: string,
    resumed: boolean,
  ): Promise<void> {
    const model = this.options.engine.modelId;
    await channel.send({
      type: 'session',
      sessionId,
      resumeToken,
      resumed,
      model,
      ...(model === null && this.options.offlineNotice && { notice: this.options.offlineNotice }),
      ...(this.options.title && { title: this.options.title }),
    });
  }

  private sendToSession(sessionId: string, frame: ServerFrame): Promise<void> {
    const connectionId = this.attached.get(sessionId);
    const connection = connectionId ? this.connections.get(connectionId) : undefined;
    if (!connection) return Promise.reject(new ClientGoneError(connectionId ?? sessionId));
    return connection.channel.send(frame);
  }

  private async sendError(channel: ClientChannel, error: unknown, replyTo?: string): Promise<void> {
    await channel.send(toErrorFrame(error, this.options.logger, replyTo)).catch(() => undefined);
  }

  private turnsOf(sessionId: string): SessionTurns {
    let turns = this.turns.get(sessionId);
    if (!turns) {
      turns = { running: new Map(), queue: Promise.resolve(), queued: 0 };
      this.turns.set(sessionId, turns);
    }
    return turns;
  }
}

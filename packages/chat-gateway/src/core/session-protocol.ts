import type { AnalyticsRecorder } from '../analytics/analytics-recorder.js';
import { ChatError, SessionFullError, SessionNotFoundError } from '../errors.js';
import type { FrameSequence } from '../ports/frame-sequence.js';
import type { Identity, SessionStore } from '../ports/session-store.js';
import { callerOf, type ToolClient } from '../ports/tool-client.js';
import type { ClientFrame, ConnectionReplyFrame, SessionFrame } from '../protocol/frames.js';
import type { ConversationFrames } from './conversation-frames.js';
import { documentNotFound, listDocumentsFrame, toDocumentFrame } from './document-view.js';
import { saveFeedback } from './feedback.js';
import {
  duplicateMessage,
  historyFrame,
  sessionFrame,
  type GatewayInfo,
} from './session-frames.js';
import type { SessionsPort } from './sessions-port.js';

/** The connection a client frame arrived on, as the protocol sees it. */
export interface FrameContext {
  /** The session the connection speaks for now. */
  sessionId: string;
  connectionId: string;
  /** The signed-in user of the connection; resume only reattaches their own sessions. */
  identity?: Identity;
  /**
   * When the frame must be answered by (epoch ms): a Lambda invocation's end, less a margin for
   * the reply. A call to the MCP server for the frame ends with a retryable error before it,
   * instead of the function timing out and the page waiting for an answer that never comes.
   */
  deadline?: number;
  /**
   * Answers this connection alone: outside the session's `seq` numbering and not replayed, so
   * the session's other connections see no gap.
   */
  reply(frame: ConnectionReplyFrame): Promise<void>;
}

/**
 * What differs between the transports: how a turn is started, cancelled and approved (in this
 * process locally; an asynchronous invoke plus markers in the store on AWS) and how a connection
 * is moved to a resumed session.
 */
export interface TurnPort {
  /** Runs (or queues behind the session's running turn) the answer to a claimed message. */
  start(
    context: FrameContext,
    turn: { clientMessageId: string; content: string; takenOver?: boolean },
  ): Promise<void>;
  /** Stops the answer to `clientMessageId`; false when none is running or queued in the session. */
  cancel(sessionId: string, clientMessageId: string): Promise<boolean>;
  /** The user's decision on a tool call; false when no call with this id waits in the session. */
  approve(sessionId: string, toolCallId: string, approve: boolean): Promise<boolean>;
  /**
   * Refuses (`SESSION_FULL`) a connection that would exceed the session's cap of attached
   * connections; asked before the resume token rotates, so a refused tab locks nobody out.
   */
  admit(sessionId: string, connectionId: string): Promise<void>;
  /** How many connections (tabs) are attached to the session now. */
  attachedCount(sessionId: string): Promise<number>;
  /**
   * Joins the connection to `sessionId` (its token checked already), sends it `frame` (the
   * `session` frame, numbered, to every connection of the session: it carries the rotated
   * resume token), then the logged frames after `lastSeq` (none when undefined), then the live
   * ones. The session's other connections stay attached. Afterwards `context.sessionId` and `context.reply` speak for it.
   */
  attach(
    context: FrameContext,
    sessionId: string,
    then: { frame: SessionFrame; lastSeq?: number },
  ): Promise<void>;
}

export interface SessionProtocolDeps {
  sessions: SessionsPort;
  store: SessionStore;
  sequence: FrameSequence;
  turns: TurnPort;
  info: GatewayInfo;
  now: () => number;
  /**
   * Reads documents for the panel and the viewer, as the connection's user (both transports
   * pass the MCP client); without it `document` and `documents` are refused.
   */
  documents?: Pick<ToolClient, 'readDocument' | 'callTool'>;
  /** The longest a `documents` or `document` frame waits for the MCP server (TOOL_TIMEOUT_MS). */
  documentTimeoutMs?: number;
  /** Counts feedback; without it feedback is stored but not counted. */
  analytics?: Pick<AnalyticsRecorder, 'feedback'>;
  /** The caller's conversations (list, rename, delete); who owns anonymous ones is its choice. */
  conversations: ConversationFrames;
}

type Handler<T extends ClientFrame['type']> = (
  context: FrameContext,
  frame: Extract<ClientFrame, { type: T }>,
) => Promise<void>;

/** One handler per client frame type: a new frame is one more entry here (and in the schema). */
export type FrameHandlers = { [T in ClientFrame['type']]: Handler<T> };

/**
 * The session protocol, once for every transport: each client frame, the frames it answers and
 * its errors. A handler throws a `ChatError` for the client's mistakes; the transport turns it
 * into the `error` frame (`toErrorFrame`).
 */
/** How long a `documents` or `document` frame waits for the MCP server by default. */
const DEFAULT_DOCUMENT_TIMEOUT_MS = 30_000;

export function createFrameHandlers(deps: SessionProtocolDeps): FrameHandlers {
  const { sessions, store, turns } = deps;
  // Only a gateway assembled without the MCP client (some tests) has no documents to show.
  const noDocuments = (): ChatError =>
    new ChatError(
      'DOCUMENTS_UNAVAILABLE',
      'This gateway has no connection to the MCP server for documents, so the documents panel and viewer are off; use /call list_documents in the chat, and start the gateway with its MCP server to use them.',
      false,
    );
  const documentTimeout = (context: FrameContext): number =>
    Math.max(
      1,
      Math.min(
        deps.documentTimeoutMs ?? DEFAULT_DOCUMENT_TIMEOUT_MS,
        (context.deadline ?? Infinity) - deps.now(),
      ),
    );
  return {
    message: async (context, frame) => {
      const { sessionId } = context;
      const claim = await store.claimMessage(sessionId, frame.id);
      if (!claim.claimed) throw duplicateMessage(frame.id);
      void sessions.touch(sessionId).catch(() => undefined);
      try {
        await turns.start(context, {
          clientMessageId: frame.id,
          content: frame.content,
          ...(claim.takenOver && { takenOver: true }),
        });
      } catch (error) {
        // The turn never started: the same id may be sent again.
        await store.releaseMessage(sessionId, frame.id).catch(() => undefined);
        throw error;
      }
    },
    resume: async (context, frame) => {
      const last = frame.lastSeq ?? 0;
      try {
        await turns.admit(frame.sessionId, context.connectionId);
      } catch (error) {
        // A full session is news only to someone who may open it: anyone else (another user,
        // a wrong token) hears what an unknown id gets, or the cap tells them it exists.
        if (
          error instanceof SessionFullError &&
          !(await sessions.mayResume(frame.sessionId, frame.resumeToken, context.identity))
        )
          throw new SessionNotFoundError();
        throw error;
      }
      const resumed = await sessions.resume(
        frame.sessionId,
        frame.resumeToken,
        context.connectionId,
        context.identity,
      );
      const previous = context.sessionId;
      const current = await deps.sequence.current(frame.sessionId);
      const ahead = last > current;
      await turns.attach(context, frame.sessionId, {
        frame: sessionFrame(deps.info, frame.sessionId, resumed.resumeToken, true),
        ...(frame.lastSeq !== undefined && !ahead && { lastSeq: last }),
      });
      // The session this connection left, unless another tab is still on it: the one made for
      // the connection when it opened was never used.
      if (previous !== frame.sessionId && (await turns.attachedCount(previous)) === 0)
        void sessions.close(previous, 'replaced by resume').catch(() => undefined);
      if (ahead) {
        // Resumed (the old token is spent), but nothing can be replayed from a number never sent.
        throw new ChatError(
          'SEQ_AHEAD',
          `lastSeq ${last} is ahead of this session (its last frame was ${current}): nothing was replayed. Reload the history, and send lastSeq from this session's frames only.`,
          false,
        );
      }
    },
    confirm: async (context, frame) => {
      if (!(await turns.approve(context.sessionId, frame.toolCallId, frame.approve)))
        throw new ChatError(
          'NOT_FOUND',
          `No tool call ${frame.toolCallId} is waiting for approval in this session.`,
          false,
        );
    },
    history: async (context, frame) =>
      context.reply(await historyFrame(store, context.sessionId, frame.before, frame.limit ?? 20)),
    cancel: async (context, frame) => {
      if (!(await turns.cancel(context.sessionId, frame.messageId)))
        throw new ChatError(
          'NOT_FOUND',
          `No answer to message ${frame.messageId} is running in this session.`,
          false,
        );
    },
    // The viewer reads as the connection's user: a document they may not read is a missing one.
    document: async (context, frame) => {
      if (!deps.documents) throw noDocuments();
      const doc = await deps.documents.readDocument(frame.source, {
        caller: callerOf(context.identity),
        timeoutMs: documentTimeout(context),
      });
      if (!doc) throw documentNotFound(frame.source);
      await context.reply(toDocumentFrame(doc, frame.snippet));
    },
    documents: async (context, frame) => {
      if (!deps.documents) throw noDocuments();
      await context.reply(
        await listDocumentsFrame(deps.documents, frame.cursor, {
          caller: callerOf(context.identity),
          timeoutMs: documentTimeout(context),
        }),
      );
    },
    feedback: async (context, frame) => {
      const analytics = deps.analytics ?? { feedback: () => Promise.resolve() };
      await context.reply(
        await saveFeedback({ store, analytics }, context.sessionId, frame, deps.now()),
      );
    },
    conversations: async (context, frame) =>
      context.reply(await deps.conversations.answer(frame, context.identity)),
    'conversation-rename': async (context, frame) =>
      context.reply(await deps.conversations.answer(frame, context.identity)),
    'conversation-delete': async (context, frame) =>
      context.reply(await deps.conversations.answer(frame, context.identity)),
  };
}

/** Runs the frame's handler. */
export function dispatchFrame(
  handlers: FrameHandlers,
  context: FrameContext,
  frame: ClientFrame,
): Promise<void> {
  const handler = handlers[frame.type] as Handler<ClientFrame['type']>;
  return handler(context, frame);
}

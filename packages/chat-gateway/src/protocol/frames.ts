/**
 * The chat protocol: JSON text frames, one object each, `type` first. The JSON Schemas beside
 * this file (`client-frames.schema.json`, `server-frames.schema.json`) are the contract; these
 * types mirror them, and a test checks that they agree.
 */
import type { QueryType } from '../ports/session-store.js';

export type { QueryType };

// ---- client -> server ----------------------------------------------------------------------

/** A user message. `id` is chosen by the client; a repeated id is answered once, never run twice. */
export interface MessageFrame {
  type: 'message';
  id: string;
  content: string;
}
/**
 * Re-attach to a session after a reconnect; the token came in the `session` frame. A signed-in
 * user (or the one user of a local gateway without sign-in) may leave the token out to open one
 * of their own conversations: who they are proves it.
 */
export interface ResumeFrame {
  type: 'resume';
  sessionId: string;
  resumeToken?: string;
  /** The highest `seq` received; the frames after it are replayed. Absent: nothing is replayed. */
  lastSeq?: number;
}
/** The user's answer to a `confirm-request`. */
export interface ConfirmFrame {
  type: 'confirm';
  toolCallId: string;
  approve: boolean;
}
/** A page of this session's history, newest first, strictly before the message `before`. */
export interface HistoryRequestFrame {
  type: 'history';
  before?: string;
  limit?: number;
}
/** Stop the answer to the client message `messageId` (the client's id). */
export interface CancelFrame {
  type: 'cancel';
  messageId: string;
}

/** The text of a document by its source (the viewer of a citation). Local gateway only for now. */
export interface DocumentRequestFrame {
  type: 'document';
  source: string;
  /** The cited passage: when the text is too long for one frame, the part around it is sent. */
  snippet?: string;
}
/** A page of the ingested documents (the documents panel). Local gateway only for now. */
export interface DocumentsRequestFrame {
  type: 'documents';
  cursor?: string;
}
export type FeedbackRating = 'up' | 'down';
/** Thumbs up or down on an answer (its server message id); a second one replaces the first. */
export interface FeedbackRequestFrame {
  type: 'feedback';
  messageId: string;
  rating: FeedbackRating;
  reason?: string;
}

/** A page of the caller's conversations, newest activity first; `query` searches them. */
export interface ConversationsRequestFrame {
  type: 'conversations';
  limit?: number;
  cursor?: string;
  query?: string;
}
/** Renames one of the caller's conversations. */
export interface ConversationRenameFrame {
  type: 'conversation-rename';
  sessionId: string;
  title: string;
}
/** Deletes one of the caller's conversations: its session and its messages. */
export interface ConversationDeleteFrame {
  type: 'conversation-delete';
  sessionId: string;
}

export type ClientFrame =
  | ConversationsRequestFrame
  | ConversationRenameFrame
  | ConversationDeleteFrame
  | MessageFrame
  | ResumeFrame
  | ConfirmFrame
  | HistoryRequestFrame
  | CancelFrame
  | DocumentRequestFrame
  | DocumentsRequestFrame
  | FeedbackRequestFrame;

// ---- server -> client ----------------------------------------------------------------------

/**
 * Every frame the session's connections all get carries `seq` on the wire: +1 per frame, never
 * reused, across turns and reconnects. The core stamps it when it sends (`SessionOutbox`); code
 * that builds frames leaves it out.
 */
export interface Sequenced {
  /** Absent on an error about one connection's frame and on a frame sent while the store could not count. */
  seq?: number;
}

/** First frame of a connection, and again after a successful resume. */
export interface SessionFrame extends Sequenced {
  type: 'session';
  sessionId: string;
  resumeToken: string;
  resumed: boolean;
  /** The model answering, or null for the offline engine (no language model configured). */
  model: string | null;
  /** Shown to the user when no model is configured: what that means and how to configure one. */
  notice?: string;
  /** The chat's name (CHAT_TITLE) for the page's title and header. */
  title?: string;
}

export interface StartFrame extends Sequenced {
  type: 'start';
  /** The assistant message's id (server-made, time-sortable). */
  messageId: string;
  /** The client's id of the message this answers. */
  replyTo: string;
  queryType: QueryType;
  /** Why the router chose this route. */
  reason: string;
}

export interface TextDeltaFrame extends Sequenced {
  type: 'text-delta';
  messageId: string;
  delta: string;
}

/** A passage cited as `[n]` in the answer. */
export interface SourceFrame extends Sequenced {
  type: 'source';
  messageId: string;
  n: number;
  source: string;
  title?: string;
  snippet: string;
  score: number;
}

export interface ToolCallFrame extends Sequenced {
  type: 'tool-call';
  messageId: string;
  toolCallId: string;
  toolName: string;
  input: Record<string, unknown>;
}

/** A destructive tool call waits for the user's `confirm`. */
export interface ConfirmRequestFrame extends Sequenced {
  type: 'confirm-request';
  messageId: string;
  toolCallId: string;
  toolName: string;
  input: Record<string, unknown>;
}

export interface ToolResultFrame extends Sequenced {
  type: 'tool-result';
  messageId: string;
  toolCallId: string;
  isError: boolean;
  /**
   * The tool's structured result: MCP `structuredContent` (e.g. `{ record: {...} }`), else its
   * text content parsed as JSON, else that text; null when too large for a frame.
   */
  output: unknown;
  /** The result as display text (cut at 16,000 characters). */
  text: string;
}

export type ChatFinishReason = 'stop' | 'length' | 'tool-limit' | 'cancelled' | 'error';

/** The design's `WebSocketResponse`, plus the route and the time it took. */
export interface ChatResponse {
  sessionId: string;
  messageId: string;
  content: string;
  timestamp: string;
  sources: string[];
  toolsUsed: string[];
  queryType: QueryType;
  responseTime: number;
}

/** Tokens a model reported for one answer (summed over its steps). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface FinishFrame extends Sequenced {
  type: 'finish';
  messageId: string;
  finishReason: ChatFinishReason;
  response: ChatResponse;
  /** Absent when the model reported none (the offline engine, a provider without usage). */
  usage?: TokenUsage;
}

/** A source card as kept with the answer, so citations still open the viewer after a reload. */
export interface Citation {
  n: number;
  source: string;
  title?: string;
  snippet: string;
}

export interface MessageFeedback {
  rating: FeedbackRating;
  reason?: string;
}

export interface HistoryMessage {
  messageId: string;
  role: 'user' | 'assistant';
  content: string;
  timestamp: string;
  /** For an assistant message: the user message it answers. */
  replyTo?: string;
  /** For a user message: the id its client chose. */
  clientMessageId?: string;
  queryType?: QueryType;
  sources?: string[];
  toolsUsed?: string[];
  finishReason?: string;
  /** For an answer: its source cards as streamed. */
  citations?: Citation[];
  usage?: TokenUsage;
  feedback?: MessageFeedback;
}

export interface HistoryFrame {
  type: 'history';
  /** Newest first. */
  messages: HistoryMessage[];
  /** Pass as `before` to get the next (older) page; absent on the last page. */
  before?: string;
}

/** The answer to a `document` frame: the document as indexed (its chunks joined). */
export interface DocumentFrame {
  type: 'document';
  source: string;
  title?: string;
  /** All of it, or (when too long for one frame) the part around the requested snippet. */
  text: string;
  mimeType: string;
  /** Where `text` starts in the whole document (0 when it is all of it). */
  offset: number;
  totalChars: number;
}

export interface DocumentSummary {
  source: string;
  title?: string;
  chunks: number;
  ingestedAt: string;
}

/** A page of the ingested documents; pass `cursor` back for the next page. */
export interface DocumentsFrame {
  type: 'documents';
  documents: DocumentSummary[];
  cursor?: string;
}

/** The feedback on an answer is stored. */
export interface FeedbackFrame {
  type: 'feedback';
  messageId: string;
  rating: FeedbackRating;
  reason?: string;
}

export interface ConversationItem {
  sessionId: string;
  title: string;
  updatedAt: string;
  messages: number;
}

/** A page of the caller's conversations; pass `cursor` back for the next page. */
export interface ConversationsFrame {
  type: 'conversations';
  items: ConversationItem[];
  cursor?: string;
}

export interface ConversationRenamedFrame {
  type: 'conversation-renamed';
  sessionId: string;
  title: string;
}

export interface ConversationDeletedFrame {
  type: 'conversation-deleted';
  sessionId: string;
}

export interface ErrorFrame extends Sequenced {
  type: 'error';
  code: string;
  message: string;
  retryable: boolean;
  /** The client message id (or frame type) this error answers, when there is one. */
  replyTo?: string;
}

/**
 * What every connection of a session gets, numbered by `SessionOutbox.send` (an error may also
 * be a reply to one connection).
 */
export type SessionBroadcastFrame =
  | SessionFrame
  | StartFrame
  | TextDeltaFrame
  | SourceFrame
  | ToolCallFrame
  | ConfirmRequestFrame
  | ToolResultFrame
  | FinishFrame
  | ErrorFrame;

/**
 * Replies to the one connection that asked (`SessionOutbox.reply`): never numbered, never
 * logged, never replayed; the schema forbids `seq` on them (an error aside).
 */
export type ConnectionReplyFrame =
  | HistoryFrame
  | DocumentFrame
  | DocumentsFrame
  | FeedbackFrame
  | ConversationsFrame
  | ConversationRenamedFrame
  | ConversationDeletedFrame
  | ErrorFrame;

export type ServerFrame = SessionBroadcastFrame | ConnectionReplyFrame;

/** A frame's `seq`, or undefined on a reply to one connection and on an unnumbered frame. */
export function seqOf(frame: ServerFrame): number | undefined {
  return 'seq' in frame ? frame.seq : undefined;
}

/** API Gateway's WebSocket frame limit; the local server uses the same. */
export const MAX_FRAME_BYTES = 128 * 1024;

/**
 * Where the chat keeps its state: the design's three tables (sessions, conversations,
 * analytics), keyed as `chatbot-mcp-server/tables` defines them. One adapter over the record
 * store port serves both the embedded store and DynamoDB.
 */

import type { Citation, MessageFeedback, TokenUsage } from '../protocol/frames.js';

export type QueryType = 'rag' | 'general' | 'mcp_tool';

export interface ClientInfo {
  userAgent?: string;
  ipAddress?: string;
  /** Who signed in (CHAT_OIDC_ISSUER); none in anonymous mode. */
  identity?: Identity;
}

/** A signed-in user: `issuer` + `subject` identify them; the rest is for display and access. */
export interface Identity {
  issuer: string;
  subject: string;
  name?: string;
  email?: string;
  groups?: string[];
}

/** The same user (issuer and subject), or both anonymous. */
export function sameIdentity(a: Identity | undefined, b: Identity | undefined): boolean {
  if (!a || !b) return a === b;
  return a.issuer === b.issuer && a.subject === b.subject;
}

export interface SessionRecord {
  sessionId: string;
  createdAt: string;
  lastActivity: string;
  isActive: boolean;
  clientInfo?: ClientInfo;
  /** Epoch seconds: DynamoDB TTL removes the record after this. */
  ttl: number;
  /** SHA-256 (hex) of the secret resume token; the token itself is never stored. */
  resumeTokenHash: string;
  /**
   * The connection that opened or last resumed the session (API Gateway connection id or a
   * local id): it holds the newest resume token. Not who is attached now, with several tabs on
   * one session: the local gateway's attached connections and the AWS path's connection set say
   * that. Kept when that connection closes.
   */
  connectionId?: string;
  closedAt?: string;
  closeReason?: string;
}

export interface ConversationRecord {
  sessionId: string;
  /** Time-sortable (ULID-like); unique within the session. */
  messageId: string;
  timestamp: string;
  messageType: 'user' | 'assistant';
  content: string;
  /** For a user message: the id the client chose; for an answer: the user message's id. */
  clientMessageId?: string;
  replyTo?: string;
  queryType?: QueryType;
  sources?: string[];
  toolsUsed?: string[];
  /** Milliseconds from the user message to the finished answer. */
  responseTime?: number;
  finishReason?: string;
  /** For an answer: its source cards (what the viewer needs after a reload). */
  citations?: Citation[];
  /** Tokens the model reported for the answer. */
  usage?: TokenUsage;
  /** The user's thumbs up/down on the answer. */
  feedback?: MessageFeedback & { at: string };
  ttl: number;
}

export type AnalyticsEventType =
  'query' | 'tool_usage' | 'session_created' | 'session_closed' | 'feedback';

export interface AnalyticsRecord {
  /** `YYYY-MM-DD` (UTC). */
  date: string;
  /** Time-sortable; unique within the day. */
  eventId: string;
  eventType: AnalyticsEventType;
  sessionId: string;
  details: Record<string, unknown>;
  timestamp: string;
  ttl: number;
}

/** The outcome of claiming a client message id: a repeated id is answered once, never run twice. */
export interface MessageClaim {
  claimed: boolean;
  /**
   * The id had been claimed by a turn that died without an answer (its process crashed); this
   * claim took it over, and the history may already hold its user message.
   */
  takenOver?: boolean;
}

/**
 * Values the stored session must hold for an update to apply (checked and written atomically),
 * so that a detach cannot undo a resume that happened in between, and a resume token works once.
 * Fields left out (or undefined) are not checked.
 */
export type SessionCondition = Partial<
  Pick<SessionRecord, 'isActive' | 'lastActivity' | 'resumeTokenHash' | 'connectionId'>
>;

export interface Page<T> {
  items: T[];
  cursor?: string;
}

/** One conversation as the page's sidebar lists it. */
export interface ConversationSummary {
  sessionId: string;
  /** From the first question (trimmed, about 60 characters) until renamed. */
  title: string;
  /** When its last message was stored. */
  updatedAt: string;
  /** Messages stored (questions and answers). */
  messages: number;
}

export interface ConversationQuery {
  limit: number;
  /** From the previous page. */
  cursor?: string;
  /** Only conversations whose title or questions contain this (case-insensitive). */
  query?: string;
}

/**
 * Whose conversations a session's are: the signed-in user (issuer and subject), or the one
 * anonymous user of a gateway without sign-in.
 */
export function conversationOwner(identity: Identity | undefined): string {
  return identity ? `${identity.issuer}#${identity.subject}` : 'anonymous';
}

export interface SessionStore {
  /** Creates a session; never overwrites one. */
  createSession(session: SessionRecord): Promise<void>;
  getSession(sessionId: string): Promise<SessionRecord | undefined>;
  /**
   * Sets the given fields on a live session and returns it; undefined if there is none, or if
   * `condition` is given and the stored session does not match it. A field set to `undefined`
   * is removed.
   */
  updateSession(
    sessionId: string,
    changes: Partial<Omit<SessionRecord, 'sessionId'>>,
    condition?: SessionCondition,
  ): Promise<SessionRecord | undefined>;
  /** A page of sessions (a bounded scan), for the cleanup job. */
  scanSessions(cursor?: string): Promise<Page<SessionRecord>>;

  /**
   * Claims `clientMessageId` for the session (a conditional write). `claimed: false` means the
   * id was seen before (its turn is running or answered; the history has it). A claim whose
   * turn died unanswered (its lease ran out, or its owner process is gone) is taken over.
   */
  claimMessage(sessionId: string, clientMessageId: string): Promise<MessageClaim>;
  /** Keeps the claim of a running turn alive (extends its lease); a no-op when it is not ours. */
  renewMessageClaim(sessionId: string, clientMessageId: string): Promise<void>;
  /** The turn's answer is stored: the id is answered for good, a re-send is a duplicate. */
  completeMessage(sessionId: string, clientMessageId: string): Promise<void>;
  /**
   * Frees a claimed id whose turn failed in a way the client may retry (the store was down, the
   * model was unavailable, the server shut down): the same id can then be sent again. A no-op
   * when there is no claim.
   */
  releaseMessage(sessionId: string, clientMessageId: string): Promise<void>;
  /** Stores a message; a repeated (sessionId, messageId) is a no-op, never a second copy. */
  appendMessage(message: ConversationRecord): Promise<void>;
  /**
   * Sets the user's feedback on an answer of the session (replacing an earlier one); false when
   * the session has no answer with that id.
   */
  setFeedback(
    sessionId: string,
    messageId: string,
    feedback: NonNullable<ConversationRecord['feedback']>,
  ): Promise<boolean>;
  /** Newest first, strictly older than `before` (a messageId) when given. */
  listMessages(
    sessionId: string,
    options: { before?: string; limit: number },
  ): Promise<ConversationRecord[]>;

  /**
   * The owner's conversations (sessions with at least one message), newest activity first.
   * `conversationOwner` names the owner; appending a message keeps the list current.
   */
  listConversations(owner: string, query: ConversationQuery): Promise<Page<ConversationSummary>>;
  /** Renames one of the owner's conversations; false when the owner has none with that id. */
  renameConversation(owner: string, sessionId: string, title: string): Promise<boolean>;
  /**
   * Deletes one of the owner's conversations: its messages, its session and its entry in the
   * list. False when the owner has none with that id (another owner's is left alone).
   */
  deleteConversation(owner: string, sessionId: string): Promise<boolean>;

  recordEvent(event: AnalyticsRecord): Promise<void>;
  /** One day's events, oldest first, page by page. */
  listEvents(date: string, cursor?: string): Promise<Page<AnalyticsRecord>>;
}

import { ChatError } from '../errors.js';
import type { SessionStore } from '../ports/session-store.js';
import type { HistoryFrame, SessionFrame } from '../protocol/frames.js';
import { toHistoryMessage } from './history-view.js';

/** What the `session` frame says about this gateway, the same on every transport. */
export interface GatewayInfo {
  /** The model answering, or null for the offline engine. */
  modelId: string | null;
  /** Shown in the session frame when no model is configured. */
  offlineNotice?: string;
  /** The page's name (CHAT_TITLE). */
  title?: string;
}

/** The `session` frame: the first of a connection, and again after a successful resume. */
export function sessionFrame(
  info: GatewayInfo,
  sessionId: string,
  resumeToken: string,
  resumed: boolean,
): SessionFrame {
  const model = info.modelId;
  return {
    type: 'session',
    sessionId,
    resumeToken,
    resumed,
    model,
    ...(model === null && info.offlineNotice && { notice: info.offlineNotice }),
    ...(info.title && { title: info.title }),
  };
}

/** A page of the session's history, newest first; `before` is set when there may be more. */
export async function historyFrame(
  store: Pick<SessionStore, 'listMessages'>,
  sessionId: string,
  before: string | undefined,
  limit: number,
): Promise<HistoryFrame> {
  const page = await store.listMessages(sessionId, { limit, ...(before && { before }) });
  const last = page.at(-1);
  return {
    type: 'history',
    messages: page.map(toHistoryMessage),
    ...(page.length === limit && last && { before: last.messageId }),
  };
}

/** A client message id seen before: its turn is running or answered. */
export function duplicateMessage(clientMessageId: string): ChatError {
  return new ChatError(
    'DUPLICATE_MESSAGE',
    `Message ${clientMessageId} was already received; it is answered once (see the history).`,
    false,
  );
}
